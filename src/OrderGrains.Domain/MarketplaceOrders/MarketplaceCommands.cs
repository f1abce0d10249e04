using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.MarketplaceOrders;

public enum MarketplaceCommandKind
{
    Place,
    PaymentApproved,
    PaymentDenied,
    CancelByMarketplace,
    CancelByCustomer,
    WithdrawCancellationRequest,
    /// <summary>A change of the seller order arrived (stream event, a call's answer or a pull).</summary>
    SellerChanged,
}

/// <summary>The seller order's answer to a command the marketplace forwarded to it.</summary>
public sealed record SellerReply(CommandOutcome Outcome, string? Code, string Message, string? CancellationRequestId, SellerOrderView? Seller);

public abstract record MarketplaceCommand(Actor Actor)
{
    public abstract MarketplaceCommandKind Kind { get; }

    public string Name => Kind switch
    {
        MarketplaceCommandKind.Place => "place",
        MarketplaceCommandKind.PaymentApproved => "payment-approved",
        MarketplaceCommandKind.PaymentDenied => "payment-denied",
        MarketplaceCommandKind.CancelByMarketplace => "cancel-by-marketplace",
        MarketplaceCommandKind.CancelByCustomer => "cancel-by-customer",
        MarketplaceCommandKind.WithdrawCancellationRequest => "withdraw-cancellation-request",
        MarketplaceCommandKind.SellerChanged => "seller-changed",
        _ => Kind.ToString(),
    };
}

public sealed record PlaceMarketplaceOrder(
    string MarketplaceOrderId, string OrderGroup, string SellerOrderId, string SellerId, IReadOnlyList<OrderItem> Items, string Account = "",
    string GroupDigest = "", Documents.OrderDocument? Document = null)
    : MarketplaceCommand(Actor.Marketplace)
{
    public override MarketplaceCommandKind Kind => MarketplaceCommandKind.Place;

    /// <summary>What the buyer pays: the document's totals (items, discounts, shipping, tax), or the items' prices without one.</summary>
    public long Value => Document?.Value ?? Items.Sum(i => i.Price * i.Quantity);
}

/// <summary>The payment gateway approved. Decided by the seller order: it approves only if the seller authorizes fulfilment.</summary>
public sealed record ApprovePayment(SellerReply? Reply = null) : MarketplaceCommand(Actor.Marketplace)
{
    public override MarketplaceCommandKind Kind => MarketplaceCommandKind.PaymentApproved;
}

/// <summary>
/// A command whose outcome the seller order decides (payment denial, cancels, withdrawals): see
/// <see cref="Protocol.OrderPairProtocol"/>. The marketplace decides it with the seller's <see cref="Reply"/>.
/// </summary>
public sealed record ForwardedCommand(
    MarketplaceCommandKind ForwardedKind, Actor By, string? Reason, SellerReply? Reply = null, string? RequestedByUser = null, string? RequestId = null)
    : MarketplaceCommand(By)
{
    public override MarketplaceCommandKind Kind => ForwardedKind;
}

public sealed record MirrorSeller(SellerOrderView Seller, string Source) : MarketplaceCommand(Actor.Seller)
{
    public override MarketplaceCommandKind Kind => MarketplaceCommandKind.SellerChanged;
}
