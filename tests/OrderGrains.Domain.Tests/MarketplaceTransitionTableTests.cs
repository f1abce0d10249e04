using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

public class MarketplaceTransitionTableTests
{
    public static TheoryData<MarketplaceOrderStatus, MarketplaceCommandKind> AllowedCommandRows()
    {
        var data = new TheoryData<MarketplaceOrderStatus, MarketplaceCommandKind>();
        foreach (var row in MarketplaceTransitions.Table.Where(r => r.Command != MarketplaceCommandKind.SellerChanged)) data.Add(row.From, row.Command);
        return data;
    }

    public static TheoryData<MarketplaceOrderStatus, MarketplaceOrderStatus> MirrorTransitions()
    {
        var data = new TheoryData<MarketplaceOrderStatus, MarketplaceOrderStatus>();
        foreach (var row in MarketplaceTransitions.Table.Where(r => r.Command == MarketplaceCommandKind.SellerChanged))
            foreach (var to in row.To) data.Add(row.From, to);
        return data;
    }

    public static TheoryData<MarketplaceOrderStatus, MarketplaceCommandKind> DisallowedPairs()
    {
        var data = new TheoryData<MarketplaceOrderStatus, MarketplaceCommandKind>();
        foreach (var status in Enum.GetValues<MarketplaceOrderStatus>())
            foreach (var kind in Enum.GetValues<MarketplaceCommandKind>())
                if (kind is not (MarketplaceCommandKind.Place or MarketplaceCommandKind.SellerChanged) && MarketplaceTransitions.Find(status, kind) is null)
                    data.Add(status, kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedCommandRows))]
    public void Decide_AllowedRow_AcceptsAndLandsInAListedStatus(MarketplaceOrderStatus from, MarketplaceCommandKind kind)
    {
        var pair = MarketplacePair.In(from);
        var row = MarketplaceTransitions.Find(from, kind)!;

        var decision = pair.Forward(kind);

        Assert.True(decision.Outcome != CommandOutcome.Rejected, decision.Message);
        if (decision.IsAccepted)
        {
            Assert.Contains(pair.Order.Status, row.To);
        }
        Assert.Equal(MarketplaceOrderDecider.Expected(pair.Order.Payment, SellerOrderView.From(pair.Seller)), pair.Order.Status);
    }

    [Theory]
    [MemberData(nameof(MirrorTransitions))]
    public void Mirror_SellerChange_FollowsTheSellerPerSection53(MarketplaceOrderStatus from, MarketplaceOrderStatus to)
    {
        var pair = MarketplacePair.In(from);
        var sellerStatus = to switch
        {
            MarketplaceOrderStatus.PaymentPending => SellerOrderStatus.OrderAccepted,
            MarketplaceOrderStatus.PaymentApproved => SellerOrderStatus.Handling,
            MarketplaceOrderStatus.WaitingForSellerDecision => SellerOrderStatus.CancellationRequested,
            MarketplaceOrderStatus.Invoiced => SellerOrderStatus.Invoiced,
            _ => SellerOrderStatus.Canceled,
        };
        var seller = SellerOrderView.From(SellerFixtures.In(sellerStatus)) with { Sequence = 1000 };

        var decision = pair.Run(new MirrorSeller(seller, "test"));

        Assert.Equal(CommandOutcome.Accepted, decision.Outcome);
        Assert.Equal(to, pair.Order.Status);
        Assert.Equal(1000, pair.Order.SellerSequence);
    }

    [Theory]
    [MemberData(nameof(DisallowedPairs))]
    public void Decide_PairNotInTable_Rejects(MarketplaceOrderStatus from, MarketplaceCommandKind kind)
    {
        var pair = MarketplacePair.In(from);
        var sequence = pair.Order.Sequence;

        var decision = pair.Forward(kind);

        if (kind == MarketplaceCommandKind.PaymentApproved && pair.Order.Payment == PaymentStatus.Approved)
        {
            // A payment gateway retrying its approval: an explicit idempotent replay, documented in the README.
            Assert.Equal(CommandOutcome.Replayed, decision.Outcome);
        }
        else
        {
            // Refused by the marketplace (final status, payment already decided) or by the seller order, which decides
            // everything else: either way a definite rejection with a code, and nothing changes.
            Assert.Equal(CommandOutcome.Rejected, decision.Outcome);
            Assert.False(string.IsNullOrEmpty(decision.Code));
            Assert.False(string.IsNullOrEmpty(decision.Message));
        }
        Assert.Equal(from, pair.Order.Status);
        Assert.Equal(sequence, pair.Order.Sequence);
    }

    [Fact]
    public void Mirror_FinalCanceledOrderSeesAnotherSellerStatus_RejectsAsMirrorConflictAndFlagsError()
    {
        var pair = MarketplacePair.In(MarketplaceOrderStatus.Canceled);
        var seller = SellerOrderView.From(SellerFixtures.In(SellerOrderStatus.Handling)) with { Sequence = 1000 };

        var decision = pair.Run(new MirrorSeller(seller, "test"));

        Assert.Equal(MarketplaceOrderDecider.MirrorConflict, decision.Code);
        Assert.Equal(MarketplaceOrderStatus.Canceled, pair.Order.Status);
        Assert.True(pair.Order.WorkflowIsInError);
    }

    [Fact]
    public void Table_EveryNonFinalStatus_HasAnExit()
    {
        foreach (var status in Enum.GetValues<MarketplaceOrderStatus>().Where(s => !s.IsFinal()))
        {
            Assert.Contains(MarketplaceTransitions.Table, t => t.From == status && t.To.Any(to => to != status));
        }
    }
}
