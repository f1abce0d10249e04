using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

/// <summary>Builds seller orders in any status by running the decider itself from placement.</summary>
public static class SellerFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Later = T0.AddDays(365);
    public static readonly WorkflowTimings Timings = WorkflowTimings.Vtex;
    public const long Total = 1000;

    public static SellerOrderState In(SellerOrderStatus status, Actor requester = Actor.Marketplace)
    {
        var s = new SellerOrderState();
        Run(s, new PlaceSellerOrder("SLR-v1-01", "v1-01", "seller1", [new OrderItem("sku1", 2, 500)]), T0);
        if (status == SellerOrderStatus.OrderAccepted) return s;
        if (status == SellerOrderStatus.Canceled) { Run(s, new CancelSellerOrder(Actor.Marketplace, "test"), T0); return s; }
        Run(s, new AuthorizeFulfillment(), T0);
        if (status == SellerOrderStatus.WindowToCancel) return s;
        Run(s, new ExpireCancellationWindow(), T0 + Timings.CancellationWindow);
        if (status == SellerOrderStatus.ReadyForHandling) return s;
        Run(s, new StartHandling(), T0 + Timings.CancellationWindow);
        Run(s, new AddInvoice(PartialInvoice("INV-0")), T0 + Timings.CancellationWindow);
        if (status == SellerOrderStatus.Handling) return s;
        if (status == SellerOrderStatus.Invoiced) { Run(s, new AddInvoice(new Invoice("INV-1", Total - 100, T0, [])), T0); return s; }
        Run(s, new CancelSellerOrder(requester, "test"), T0 + Timings.CancellationWindow);
        return s;
    }

    /// <summary>A cancellation request by <paramref name="requester"/>, opened while the order was <paramref name="interrupted"/>.</summary>
    public static SellerOrderState WithRequest(SellerOrderStatus interrupted, Actor requester)
    {
        var s = In(interrupted);
        Run(s, new CancelSellerOrder(requester, "test"), T0 + Timings.CancellationWindow);
        return s;
    }

    public static Invoice PartialInvoice(string number, long value = 100) => new(number, value, T0, [new InvoiceItem("sku1", 1, value)]);

    public static Decision<SellerEvent, SellerOrderStatus> Run(SellerOrderState s, SellerCommand command, DateTimeOffset now)
    {
        var decision = SellerOrderDecider.Handle(s, command, now, Timings);
        Assert.True(decision.Outcome != CommandOutcome.Rejected, $"fixture step {command.Name} rejected: {decision.Message}");
        return decision;
    }

    /// <summary>A command of <paramref name="kind"/> that satisfies every guard when the table allows it in <paramref name="s"/>'s status.</summary>
    public static SellerCommand Sample(SellerCommandKind kind, SellerOrderState s) => kind switch
    {
        SellerCommandKind.Place => new PlaceSellerOrder("SLR-v1-01", "v1-01", "seller1", [new OrderItem("sku1", 2, 500)]),
        SellerCommandKind.AuthorizeFulfillment => new AuthorizeFulfillment(),
        SellerCommandKind.WindowExpired => new ExpireCancellationWindow(),
        SellerCommandKind.StartHandling => new StartHandling(),
        SellerCommandKind.CancelByMarketplace => new CancelSellerOrder(Actor.Marketplace, "sample"),
        SellerCommandKind.CancelByCustomer => new CancelSellerOrder(Actor.Customer, "sample"),
        SellerCommandKind.CancelBySeller => new CancelSellerOrder(Actor.Seller, "sample"),
        SellerCommandKind.AcceptCancellationRequest => new AcceptCancellationRequest(s.OpenRequest?.Id ?? "no-such-request"),
        SellerCommandKind.DenyCancellationRequest => new DenyCancellationRequest(s.OpenRequest?.Id ?? "no-such-request", "sample"),
        SellerCommandKind.WithdrawCancellationRequest => new WithdrawCancellationRequest(s.OpenRequest?.RequestedBy ?? Actor.Marketplace, s.OpenRequest?.Id ?? "no-such-request"),
        SellerCommandKind.Invoice => new AddInvoice(PartialInvoice("INV-NEW")),
        SellerCommandKind.ReturnInvoice => new AddInvoice(PartialInvoice("RET-NEW") with { Type = InvoiceType.Input }),
        SellerCommandKind.UpdateInvoice => new UpdateInvoice("INV-0", new InvoiceShipping("Courier", "TRK-1", null, T0)),
        SellerCommandKind.UpdateTracking => new UpdateTracking("INV-0", new TrackingUpdate(false, null, [])),
        SellerCommandKind.DeadlineReached => new ReachDeadline(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
