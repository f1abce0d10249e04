using OrderGrains.Domain;
using OrderGrains.Domain.Documents;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Bench;

/// <summary>
/// The project's own deciders applied to a marketplace/seller pair in one critical section: what the
/// framework-free backends (locked dictionary, PostgreSQL FOR UPDATE) run. The mirror is applied synchronously.
/// </summary>
public static class PairLogic
{
    /// <summary>
    /// What a checkout sends with the benchmark's order (one line of 2 × 500, free shipping, one card payment): every backend
    /// places it and keeps it once (the grains in og_order_document, FOR UPDATE in bench_documents), as a real store would.
    /// </summary>
    public static readonly GroupDocument Checkout = new(
        [new DocumentItem("sku", "seller1", 2, 500, 500, 500, "p-1", "Bench item", MeasurementUnit: "un")],
        ClientProfileData: new ClientProfile("buyer@example.com", "Ana", "Lima", "cpf", "12345678900", "+5521999990000"),
        ShippingData: new ShippingData(new Address("residential", "Ana Lima", null, "22000-000", "Rio de Janeiro", "RJ", "BRA", "Rua A", "10", "Centro"),
            [new LogisticsInfo(0, "Normal", 0, 0, 0, "Correios", "3bd")]),
        PaymentData: new PaymentSummary("tx", "bench", [new Payment("pay", "2", "Visa", 1000, 1, 1000, "creditCard")]));

    public static readonly WorkflowTimings Timings = new(TimeSpan.Zero, TimeSpan.FromDays(30), TimeSpan.FromDays(30));

    public sealed class Pair
    {
        public SellerOrderState Seller { get; set; } = new();
        public MarketplaceOrderState Marketplace { get; set; } = new();
    }

    public static CommandOutcome Place(Pair p, string id)
    {
        var items = new List<OrderItem> { new("sku", 2, 500) };
        var now = DateTimeOffset.UtcNow;
        MarketplaceOrderDecider.Handle(p.Marketplace, new PlaceMarketplaceOrder(id, id, "SLR-" + id, "seller1", items, "bench",
            Document: OrderDocuments.Split(Checkout, "SLR", [[0]])[0]), now);
        return Seller(p, new PlaceSellerOrder("SLR-" + id, id, "seller1", items));
    }

    public static CommandOutcome Pay(Pair p)
    {
        var d = Protocol(p, new ApprovePayment());
        if (d.IsAccepted)
        {
            Seller(p, new ExpireCancellationWindow()); // window zero: the timer's command, applied at once
        }
        return d.Outcome;
    }

    public static CommandOutcome Seller(Pair p, SellerCommand command)
    {
        var now = DateTimeOffset.UtcNow;
        var d = SellerOrderDecider.Handle(p.Seller, command, now, Timings);
        if (d.IsAccepted && p.Marketplace.Exists)
        {
            MarketplaceOrderDecider.Handle(p.Marketplace, new MirrorSeller(SellerOrderView.From(p.Seller), "sync"), now);
        }
        return d.Outcome;
    }

    public static (CommandOutcome Outcome, string? RequestId) MarketplaceCancel(Pair p)
    {
        var d = Protocol(p, new ForwardedCommand(MarketplaceCommandKind.CancelByMarketplace, Actor.Marketplace, "bench"));
        return (d.Outcome, d.CancellationRequestId);
    }

    /// <summary>The project's two-order protocol, with the pair's seller order deciding in the same critical section.</summary>
    private static Decision<MarketplaceEvent, MarketplaceOrderStatus> Protocol(Pair p, MarketplaceCommand command)
    {
        var now = DateTimeOffset.UtcNow;
        return OrderPairProtocol.RunNow(p.Marketplace, command, c => OrderPairProtocol.AtSeller(p.Seller, c, now, Timings), now);
    }

    public static Invoice FullInvoice() => new("INV-1", 1000, DateTimeOffset.UtcNow, []);
}
