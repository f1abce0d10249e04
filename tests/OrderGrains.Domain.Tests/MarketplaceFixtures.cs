using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
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
                p.Protocol(new ApprovePayment());
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

    /// <summary>What the grain does: the two-order protocol, with this pair's seller order deciding in its turn.</summary>
    public Decision<MarketplaceEvent, MarketplaceOrderStatus> Protocol(MarketplaceCommand command) =>
        OrderPairProtocol.RunNow(Order, command, c => OrderPairProtocol.AtSeller(Seller, c, SellerFixtures.Later, SellerFixtures.Timings), SellerFixtures.Later);

    /// <summary>A seller-decided marketplace command of this kind, with sample arguments, run through the protocol.</summary>
    public Decision<MarketplaceEvent, MarketplaceOrderStatus> Forward(MarketplaceCommandKind kind) => Protocol(kind switch
    {
        MarketplaceCommandKind.PaymentApproved => new ApprovePayment(),
        MarketplaceCommandKind.PaymentDenied => new ForwardedCommand(kind, Actor.Marketplace, OrderPairProtocol.PaymentDeniedReason),
        MarketplaceCommandKind.CancelByMarketplace => new ForwardedCommand(kind, Actor.Marketplace, "sample"),
        MarketplaceCommandKind.CancelByCustomer => new ForwardedCommand(kind, Actor.Customer, "sample"),
        MarketplaceCommandKind.WithdrawCancellationRequest => new ForwardedCommand(kind, Actor.Marketplace, null, RequestId: Seller.OpenRequest?.Id ?? "no-such-request"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    });
}
