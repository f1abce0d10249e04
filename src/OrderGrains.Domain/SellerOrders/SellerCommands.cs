namespace OrderGrains.Domain.SellerOrders;

/// <summary>The kinds of command a seller order understands; the transition table is keyed by them.</summary>
public enum SellerCommandKind
{
    Place,
    AuthorizeFulfillment,
    WindowExpired,
    StartHandling,
    CancelByMarketplace,
    CancelByCustomer,
    CancelBySeller,
    AcceptCancellationRequest,
    DenyCancellationRequest,
    WithdrawCancellationRequest,
    Invoice,
    /// <summary>An <c>Input</c> invoice: a return recorded on an invoiced order.</summary>
    ReturnInvoice,
    /// <summary>VTEX's PATCH of an invoice: courier, tracking number and URL, dispatch date.</summary>
    UpdateInvoice,
    UpdateTracking,
    DeadlineReached,
}

public abstract record SellerCommand(Actor Actor)
{
    public abstract SellerCommandKind Kind { get; }

    /// <summary>The command's name in history, kebab-case like VTEX's transient steps.</summary>
    public string Name => Kind switch
    {
        SellerCommandKind.Place => "place",
        SellerCommandKind.AuthorizeFulfillment => "authorize-fulfillment",
        SellerCommandKind.WindowExpired => "window-expired",
        SellerCommandKind.StartHandling => "start-handling",
        SellerCommandKind.CancelByMarketplace => "cancel-by-marketplace",
        SellerCommandKind.CancelByCustomer => "cancel-by-customer",
        SellerCommandKind.CancelBySeller => "cancel-by-seller",
        SellerCommandKind.AcceptCancellationRequest => "accept-cancellation-request",
        SellerCommandKind.DenyCancellationRequest => "deny-cancellation-request",
        SellerCommandKind.WithdrawCancellationRequest => "withdraw-cancellation-request",
        SellerCommandKind.Invoice => "invoice",
        SellerCommandKind.ReturnInvoice => "return-invoice",
        SellerCommandKind.UpdateInvoice => "update-invoice",
        SellerCommandKind.UpdateTracking => "update-tracking",
        SellerCommandKind.DeadlineReached => "deadline-reached",
        _ => Kind.ToString(),
    };
}

public sealed record PlaceSellerOrder(
    string SellerOrderId,
    string MarketplaceOrderId,
    string SellerId,
    IReadOnlyList<OrderItem> Items,
    string Account = "",
    string OrderGroup = "",
    long? Total = null) : SellerCommand(Actor.Marketplace)
{
    public override SellerCommandKind Kind => SellerCommandKind.Place;

    /// <summary>What is invoiced in full: the marketplace order's value (its document's totals), or the items' prices.</summary>
    public long Value => Total ?? Items.Sum(i => i.Price * i.Quantity);
}

public sealed record AuthorizeFulfillment() : SellerCommand(Actor.Marketplace)
{
    public override SellerCommandKind Kind => SellerCommandKind.AuthorizeFulfillment;
}

public sealed record ExpireCancellationWindow() : SellerCommand(Actor.System)
{
    public override SellerCommandKind Kind => SellerCommandKind.WindowExpired;
}

public sealed record StartHandling() : SellerCommand(Actor.Seller)
{
    public override SellerCommandKind Kind => SellerCommandKind.StartHandling;
}

/// <summary>A cancel by any party; <see cref="SellerCommand.Actor"/> says which.</summary>
public sealed record CancelSellerOrder(Actor By, string Reason, string? RequestedByUser = null) : SellerCommand(By)
{
    public override SellerCommandKind Kind => By switch
    {
        Actor.Marketplace => SellerCommandKind.CancelByMarketplace,
        Actor.Customer => SellerCommandKind.CancelByCustomer,
        Actor.Seller => SellerCommandKind.CancelBySeller,
        _ => throw new ArgumentOutOfRangeException(nameof(By), By, "only the marketplace, the customer or the seller cancels"),
    };
}

public sealed record AcceptCancellationRequest(string RequestId) : SellerCommand(Actor.Seller)
{
    public override SellerCommandKind Kind => SellerCommandKind.AcceptCancellationRequest;
}

public sealed record DenyCancellationRequest(string RequestId, string? DenyReason) : SellerCommand(Actor.Seller)
{
    public override SellerCommandKind Kind => SellerCommandKind.DenyCancellationRequest;
}

public sealed record WithdrawCancellationRequest(Actor By, string RequestId) : SellerCommand(By)
{
    public override SellerCommandKind Kind => SellerCommandKind.WithdrawCancellationRequest;
}

/// <summary>An invoice; its type decides the row: <c>Output</c> invoices the order, <c>Input</c> records a return.</summary>
public sealed record AddInvoice(Invoice Invoice) : SellerCommand(Actor.Seller)
{
    public override SellerCommandKind Kind => Invoice.Type == InvoiceType.Input ? SellerCommandKind.ReturnInvoice : SellerCommandKind.Invoice;
}

public sealed record UpdateInvoice(string InvoiceNumber, InvoiceShipping Shipping) : SellerCommand(Actor.Seller)
{
    public override SellerCommandKind Kind => SellerCommandKind.UpdateInvoice;
}

public sealed record UpdateTracking(string InvoiceNumber, TrackingUpdate Tracking) : SellerCommand(Actor.Seller)
{
    public override SellerCommandKind Kind => SellerCommandKind.UpdateTracking;
}

/// <summary>A timer fired: the authorization deadline or an open request's deadline.</summary>
public sealed record ReachDeadline() : SellerCommand(Actor.System)
{
    public override SellerCommandKind Kind => SellerCommandKind.DeadlineReached;
}
