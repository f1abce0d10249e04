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

    [Theory]
    [MemberData(nameof(AllowedPairs))]
    public void Decide_AllowedRow_AcceptsAndLandsInAListedStatus(SellerOrderStatus from, SellerCommandKind kind)
    {
        var s = SellerFixtures.In(from);
        var row = SellerTransitions.Find(from, kind)!;

        var decision = SellerOrderDecider.Handle(s, SellerFixtures.Sample(kind, s), SellerFixtures.Later, SellerFixtures.Timings);

        Assert.True(decision.Outcome != CommandOutcome.Rejected, decision.Message);
        if (decision.IsAccepted)
        {
            Assert.Contains(s.Status, row.To);
            Assert.Equal(decision.Target, s.Status);
        }
        else
        {
            // Replayed (a second cancel from the requester's side joins the open request): nothing moved.
            Assert.Equal(from, s.Status);
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
