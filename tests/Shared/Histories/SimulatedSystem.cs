using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Testing.Histories;

/// <summary>The ways <see cref="SimulatedSystem"/> can be broken, to show that the checker catches each.</summary>
public enum Breakage
{
    None,
    /// <summary>A seller's deny that loses the race to an accept is answered accepted and reopens the order: both sides win.</summary>
    BothSidesOfARaceWin,
    /// <summary>The mirror drops the seller's changes to a final status (the marketplace never hears of them).</summary>
    MirrorDropsAnEvent,
    /// <summary>No deadline ever fires (no timer, no sweep).</summary>
    DeadlineNeverFires,
}

/// <summary>
/// A pair of orders in memory, run by the real deciders and protocol one command at a time (a lock stands for the
/// grains' turns), with deadlines that fire when read past their time — and, on request, one deliberate defect.
/// It exists to prove that <see cref="HistoryChecker"/> can fail: unbroken it passes, each breakage must be caught.
/// </summary>
public sealed class SimulatedSystem(Breakage breakage) : ISystemUnderTest
{
    public Breakage Breakage => breakage;
    public string Name => $"simulation ({breakage})";
    public WorkflowTimings Timings { get; } = new(TimeSpan.Zero, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
    public TimeSpan AgreementTimeout => TimeSpan.FromMilliseconds(200);
    public TimeSpan DeadlineGrace => TimeSpan.FromMilliseconds(100);

    public Task<IPairUnderTest> Place()
    {
        var id = "sim" + Guid.NewGuid().ToString("N")[..10];
        return Task.FromResult<IPairUnderTest>(new Pair(this, id + "-01", id, "SLR-" + id + "-01"));
    }

    private sealed class Pair : IPairUnderTest
    {
        private readonly SimulatedSystem system;
        private readonly PairModel state;
        private readonly Lock turn = new();

        public Pair(SimulatedSystem system, string orderId, string group, string sellerOrderId)
        {
            this.system = system;
            (OrderId, OrderGroup, SellerOrderId) = (orderId, group, sellerOrderId);
            state = PairModel.Placed(this, system.Timings, HistoryCommands.Total,
                system.Breakage == Breakage.MirrorDropsAnEvent ? view => !view.Status.IsFinal() : null);
        }

        public string OrderId { get; }
        public string OrderGroup { get; }
        public string SellerOrderId { get; }

        public Task<Answer> Run(Cmd command)
        {
            lock (turn)
            {
                FireDue();
                var statusBefore = state.Seller.Status;
                var requestBefore = state.Seller.CancellationRequests.LastOrDefault();
                var answer = state.Run(command);
                if (system.Breakage == Breakage.BothSidesOfARaceWin && command.Act == Act.SellerDeny
                    && answer.Code == RejectionCodes.CancellationRequestClosed && statusBefore == SellerOrderStatus.Canceled
                    && requestBefore?.Id == command.RequestId && requestBefore?.Outcome == RequestOutcome.Accepted)
                {
                    // The losing deny wins too: the canceled order goes back to handling.
                    state.Seller.Status = SellerOrderStatus.Handling;
                    state.Seller.Sequence++;
                    state.Seller.History.Add(new HistoryEntry(DateTimeOffset.UtcNow, Actor.Seller, "deny-cancellation-request", CommandOutcome.Accepted, "canceled", "handling", null, "both win"));
                    MarketplaceOrderDecider.Handle(state.Marketplace, new MirrorSeller(SellerOrderView.From(state.Seller), "simulation"), DateTimeOffset.UtcNow);
                    answer = answer with { Outcome = CommandOutcome.Accepted, Code = null };
                }
                return Task.FromResult(answer);
            }
        }

        private void FireDue()
        {
            if (system.Breakage == Breakage.DeadlineNeverFires) return;
            while (state.Seller.NextDeadline is { } due && due <= DateTimeOffset.UtcNow && state.FireDeadline()) { } // a fired deadline may leave the next one due
        }

        public Task<SellerOrderView> Seller()
        {
            lock (turn)
            {
                FireDue();
                return Task.FromResult(SellerOrderView.From(state.Seller));
            }
        }

        public Task<MarketplaceOrderView> Marketplace()
        {
            lock (turn)
            {
                FireDue();
                return Task.FromResult(MarketplaceOrderView.From(state.Marketplace));
            }
        }

        public Task<IReadOnlyList<HistoryEntry>> SellerHistory()
        {
            lock (turn) return Task.FromResult<IReadOnlyList<HistoryEntry>>([.. state.Seller.History]);
        }

        public Task<IReadOnlyList<HistoryEntry>> MarketplaceHistory()
        {
            lock (turn) return Task.FromResult<IReadOnlyList<HistoryEntry>>([.. state.Marketplace.History]);
        }
    }
}
