using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

public class SellerTransitionTableTests
{
    public static TheoryData<SellerOrderStatus, SellerCommandKind> AllowedPairs()
    {
        var data = new TheoryData<SellerOrderStatus, SellerCommandKind>();
        foreach (var row in SellerTransitions.Table) data.Add(row.From, row.Command);
        return data;
    }

    public static TheoryData<SellerOrderStatus, SellerCommandKind> DisallowedPairs()
    {
        var data = new TheoryData<SellerOrderStatus, SellerCommandKind>();
        foreach (var status in Enum.GetValues<SellerOrderStatus>())
            foreach (var kind in Enum.GetValues<SellerCommandKind>())
                if (kind != SellerCommandKind.Place && SellerTransitions.Find(status, kind) is null) data.Add(status, kind);
        return data;
    }

    /// <summary>Every row with every status it lists as a target.</summary>
    public static TheoryData<SellerOrderStatus, SellerCommandKind, SellerOrderStatus> AllowedTargets()
    {
        var data = new TheoryData<SellerOrderStatus, SellerCommandKind, SellerOrderStatus>();
        foreach (var row in SellerTransitions.Table)
            foreach (var to in row.To) data.Add(row.From, row.Command, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedTargets))]
    public void Decide_AllowedRow_ReachesEveryTargetItLists(SellerOrderStatus from, SellerCommandKind kind, SellerOrderStatus target)
    {
        var (s, command, expected) = Reaching(from, kind, target);
        var sequence = s.Sequence;

        var decision = SellerOrderDecider.Handle(s, command, SellerFixtures.Later, SellerFixtures.Timings);

        Assert.True(decision.Outcome == expected, $"{command.Name} in {from.Vtex()} answered {decision.Outcome} {decision.Code}: {decision.Message}");
        Assert.Equal(target, s.Status);
        if (expected == CommandOutcome.Accepted)
        {
            Assert.Equal(target, decision.Target);
            Assert.Equal(sequence + 1, s.Sequence);
        }
        else
        {
            Assert.Equal(sequence, s.Sequence); // joining the open request moves nothing
        }
    }

    /// <summary>
    /// An order in <paramref name="from"/> and a command of <paramref name="kind"/> that the table leads to
    /// <paramref name="target"/>, with the answer it must get: accepted, except a cancel from the side whose request is
    /// open, which joins it (replayed: nothing moves).
    /// </summary>
    private static (SellerOrderState, SellerCommand, CommandOutcome) Reaching(SellerOrderStatus from, SellerCommandKind kind, SellerOrderStatus target)
    {
        var marketplaceSide = kind is SellerCommandKind.CancelByMarketplace or SellerCommandKind.CancelByCustomer;
        switch (from, kind, target)
        {
            case (_, SellerCommandKind.Invoice, SellerOrderStatus.Invoiced):
            {
                var s = SellerFixtures.In(from); // handling, or a request that interrupted handling; INV-0 (100) is invoiced already
                return (s, new AddInvoice(new Invoice("INV-LAST", SellerFixtures.Total - 100, SellerFixtures.T0, [])), CommandOutcome.Accepted);
            }
            case (SellerOrderStatus.CancellationRequested, SellerCommandKind.DenyCancellationRequest or SellerCommandKind.WithdrawCancellationRequest, SellerOrderStatus.ReadyForHandling):
            {
                var s = SellerFixtures.WithRequest(SellerOrderStatus.ReadyForHandling, Actor.Marketplace);
                return (s, SellerFixtures.Sample(kind, s), CommandOutcome.Accepted);
            }
            case (SellerOrderStatus.CancellationRequested, SellerCommandKind.CancelByMarketplace or SellerCommandKind.CancelByCustomer or SellerCommandKind.CancelBySeller, _):
            {
                // Same side as the open request: joins it. The other side: they agree, canceled.
                var joins = target == SellerOrderStatus.CancellationRequested;
                var requester = joins == marketplaceSide ? Actor.Marketplace : Actor.Seller;
                var s = SellerFixtures.WithRequest(SellerOrderStatus.Handling, requester);
                return (s, SellerFixtures.Sample(kind, s), joins ? CommandOutcome.Replayed : CommandOutcome.Accepted);
            }
            default:
            {
                var s = SellerFixtures.In(from);
                return (s, SellerFixtures.Sample(kind, s), CommandOutcome.Accepted);
            }
        }
    }

    [Theory]
    [MemberData(nameof(DisallowedPairs))]
    public void Decide_PairNotInTable_RejectsWithCodeAndCurrentStatus(SellerOrderStatus from, SellerCommandKind kind)
    {
        var s = SellerFixtures.In(from);
        var sequence = s.Sequence;

        var decision = SellerOrderDecider.Handle(s, SellerFixtures.Sample(kind, s), SellerFixtures.Later, SellerFixtures.Timings);

        Assert.Equal(CommandOutcome.Rejected, decision.Outcome);
        Assert.False(string.IsNullOrEmpty(decision.Code));
        Assert.Contains(from.Vtex(), decision.Message);
        Assert.Empty(decision.Events);
        Assert.Equal(from, s.Status);
        Assert.Equal(sequence, s.Sequence);
        Assert.Equal(CommandOutcome.Rejected, s.History[^1].Outcome);
    }

    [Fact]
    public void Table_EveryNonFinalStatus_HasAnExitThatATimerOrAPartyCanTake()
    {
        foreach (var status in Enum.GetValues<SellerOrderStatus>().Where(s => !s.IsFinal()))
        {
            Assert.Contains(SellerTransitions.Table, t => t.From == status && t.To.Any(to => to != status));
        }
        foreach (var status in Enum.GetValues<SellerOrderStatus>().Where(s => s.IsFinal()))
        {
            Assert.All(SellerTransitions.Table.Where(t => t.From == status), t => Assert.Equal([status], t.To));
        }
    }

    [Fact]
    public void Table_EveryWaitingStatus_HasADeadline()
    {
        foreach (var status in new[] { SellerOrderStatus.OrderAccepted, SellerOrderStatus.WindowToCancel, SellerOrderStatus.CancellationRequested })
        {
            Assert.NotNull(SellerFixtures.In(status).NextDeadline);
        }
    }

    [Fact]
    public void StartHandling_NotReady_RejectsWithVtexCodeOms003()
    {
        var decision = SellerOrderDecider.Decide(SellerFixtures.In(SellerOrderStatus.WindowToCancel), new StartHandling(), SellerFixtures.T0, SellerFixtures.Timings);

        Assert.Equal(RejectionCodes.NotReadyForHandling, decision.Code);
        Assert.Contains("ready-for-handling", decision.Message);
    }
}
