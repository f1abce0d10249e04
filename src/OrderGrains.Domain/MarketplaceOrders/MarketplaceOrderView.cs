using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.MarketplaceOrders;

/// <summary>What a marketplace order shows: its own status and payment plus its mirror of the seller order.</summary>
public sealed record MarketplaceOrderView(
    string MarketplaceOrderId,
    string OrderGroup,
    string SellerOrderId,
    string SellerId,
    MarketplaceOrderStatus Status,
    PaymentStatus Payment,
    /// <summary>The order's version (ETag): <see cref="MarketplaceOrderState.Version"/>.</summary>
    long Sequence,
    long Value,
    IReadOnlyList<OrderItem> Items,
    DateTimeOffset PlacedAt,
    DateTimeOffset? LastChange,
    SellerOrderView? Seller,
    /// <summary>True when the mirror cannot follow the seller (a MIRROR_CONFLICT was recorded): needs a human.</summary>
    bool WorkflowIsInError,
    string Account,
    DateTimeOffset? AuthorizedDate = null)
{
    public static MarketplaceOrderView From(MarketplaceOrderState s) => new(
        s.MarketplaceOrderId, s.OrderGroup, s.SellerOrderId, s.SellerId, s.Status, s.Payment, s.Version, s.Value,
        [.. s.Items], s.PlacedAt, s.LastChange, s.Seller, s.WorkflowIsInError, s.Account, s.AuthorizedDate);
}

/// <summary>The answer to a command sent to a marketplace order.</summary>
public sealed record MarketplaceReply(CommandOutcome Outcome, string? Code, string Message, string? CancellationRequestId, MarketplaceOrderView? Order);
