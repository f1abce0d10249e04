using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.MarketplaceOrders;

public abstract record MarketplaceEvent;

public sealed record MarketplaceOrderPlaced(
    string MarketplaceOrderId, string OrderGroup, string SellerOrderId, string SellerId,
    IReadOnlyList<OrderItem> Items, long Value, DateTimeOffset PlacedAt, string Account, string GroupDigest = "",
    Documents.OrderDocument? Document = null) : MarketplaceEvent;

public sealed record PaymentWasApproved(DateTimeOffset At) : MarketplaceEvent;

public sealed record PaymentWasDenied(DateTimeOffset At) : MarketplaceEvent;

/// <summary>The marketplace order now mirrors this seller snapshot; its status follows domain.md §5.3.</summary>
public sealed record SellerMirrored(SellerOrderView Seller, MarketplaceOrderStatus Status) : MarketplaceEvent;
