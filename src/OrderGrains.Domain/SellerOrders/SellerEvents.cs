namespace OrderGrains.Domain.SellerOrders;

public abstract record SellerEvent;

public sealed record SellerOrderPlaced(
    string SellerOrderId, string MarketplaceOrderId, string SellerId,
    IReadOnlyList<OrderItem> Items, long Value, DateTimeOffset PlacedAt, DateTimeOffset AuthorizationDeadline,
    string Account = "", string OrderGroup = "") : SellerEvent;

public sealed record FulfillmentAuthorized(DateTimeOffset WindowEndsAt) : SellerEvent;

public sealed record CancellationWindowClosed : SellerEvent;

public sealed record HandlingStarted : SellerEvent;

public sealed record CancellationRequestOpened(CancellationRequest Request) : SellerEvent;

/// <summary>Closes the open request. Unless it ends in a cancel, the order resumes the status the request interrupted.</summary>
public sealed record CancellationRequestClosed(RequestOutcome Outcome, Actor DecidedBy, string? Reason, DateTimeOffset At) : SellerEvent;

public sealed record SellerOrderCanceled(Actor By, string Reason, DateTimeOffset At) : SellerEvent;

public sealed record InvoiceAdded(Invoice Invoice) : SellerEvent;

public sealed record SellerOrderInvoiced(DateTimeOffset At) : SellerEvent;

public sealed record InvoiceShippingUpdated(string InvoiceNumber, InvoiceShipping Shipping) : SellerEvent;

public sealed record TrackingUpdated(string InvoiceNumber, TrackingUpdate Tracking) : SellerEvent;
