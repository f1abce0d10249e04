using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

/// <summary>A marketplace order together with its seller order, both driven by their deciders.</summary>
public sealed class MarketplacePair
{
    public MarketplaceOrderState Order { get; } = new();
    public SellerOrderState Seller { get; private set; } = new();

    public static MarketplacePair In(MarketplaceOrderStatus status)
    {
        var p = new MarketplacePair();
        p.Run(new PlaceMarketplaceOrder("v1-01", "v1", "SLR-v1-01", "seller1", [new OrderItem("sku1", 2, 500)]));
        p.Seller = SellerFixtures.In(SellerOrderStatus.OrderAccepted);
        p.Mirror();
        switch (status)
        {
            case MarketplaceOrderStatus.PaymentPending: break;
            case MarketplaceOrderStatus.Canceled:
                p.Forward(MarketplaceCommandKind.CancelByMarketplace); break;
            default:
                p.Run(new ApprovePayment());
                p.Seller = SellerFixtures.In(status switch
                {
                    MarketplaceOrderStatus.WaitingForSellerDecision => SellerOrderStatus.CancellationRequested,
                    MarketplaceOrderStatus.Invoiced => SellerOrderStatus.Invoiced,
                    _ => SellerOrderStatus.Handling,
                });
                p.Mirror();
                break;
        }
        Assert.Equal(status, p.Order.Status);
        return p;
    }

    public Decision<MarketplaceEvent, MarketplaceOrderStatus> Run(MarketplaceCommand command) =>
        MarketplaceOrderDecider.Handle(Order, command, SellerFixtures.Later);

    public Decision<MarketplaceEvent, MarketplaceOrderStatus> Mirror() =>
        Run(new MirrorSeller(SellerOrderView.From(Seller), "test"));

    /// <summary>What the grain does: check the table, let the seller decide, decide with its reply.</summary>
    public Decision<MarketplaceEvent, MarketplaceOrderStatus> Forward(MarketplaceCommandKind kind)
    {
        var (actor, sellerCommand) = kind switch
        {
            MarketplaceCommandKind.PaymentDenied => (Actor.Marketplace, (SellerCommand)new CancelSellerOrder(Actor.Marketplace, "payment denied")),
            MarketplaceCommandKind.CancelByMarketplace => (Actor.Marketplace, new CancelSellerOrder(Actor.Marketplace, "sample")),
            MarketplaceCommandKind.CancelByCustomer => (Actor.Customer, new CancelSellerOrder(Actor.Customer, "sample")),
            MarketplaceCommandKind.WithdrawCancellationRequest => (Actor.Marketplace, new WithdrawCancellationRequest(Actor.Marketplace, Seller.OpenRequest?.Id ?? "no-such-request")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var command = new ForwardedCommand(kind, actor, "sample");
        if (MarketplaceOrderDecider.Check(Order, command) is { } rejection)
        {
            return rejection;
        }
        var sellerDecision = SellerOrderDecider.Handle(Seller, sellerCommand, SellerFixtures.Later, SellerFixtures.Timings);
        var reply = new SellerReply(sellerDecision.Outcome, sellerDecision.Code, sellerDecision.Message, sellerDecision.CancellationRequestId, SellerOrderView.From(Seller));
        return Run(command with { Reply = reply });
    }
}
