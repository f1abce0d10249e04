using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

/// <summary>An operator's resync never moves a marketplace order outside its table, whatever the seller order shows.</summary>
public class RepairTableTests
{
    public static TheoryData<MarketplaceOrderStatus, SellerOrderStatus> EveryPair()
    {
        var data = new TheoryData<MarketplaceOrderStatus, SellerOrderStatus>();
        foreach (var m in Enum.GetValues<MarketplaceOrderStatus>())
        foreach (var s in Enum.GetValues<SellerOrderStatus>())
        {
            data.Add(m, s);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Resync_EitherRefuses_ChangesNothing_OrMovesAlongTheSellerChangedRow(MarketplaceOrderStatus marketplace, SellerOrderStatus seller)
    {
        var pair = MarketplacePair.In(marketplace);
        // The seller order's snapshot, claiming a sequence the mirror may already have (what a lost or wrong delivery leaves).
        var snapshot = SellerOrderView.From(SellerFixtures.In(seller)) with { Sequence = pair.Order.SellerSequence };
        var before = pair.Order.Status;

        var decision = MarketplaceOrderDecider.Resync(pair.Order, snapshot);
        foreach (var @event in decision.Events) MarketplaceOrderDecider.Evolve(pair.Order, @event);

        switch (decision.Outcome)
        {
            case CommandOutcome.Accepted:
                var row = MarketplaceTransitions.Find(before, MarketplaceCommandKind.SellerChanged);
                Assert.True(pair.Order.Status == before || row?.To.Contains(pair.Order.Status) == true,
                    $"resync moved {before.Vtex()} to {pair.Order.Status.Vtex()}, which the table does not list");
                Assert.Equal(snapshot.Status, pair.Order.Seller!.Status);
                break;
            default:
                Assert.Equal(before, pair.Order.Status);
                break;
        }
        if (before.IsFinal() && decision.IsAccepted) Assert.Equal(before, pair.Order.Status); // a final status never changes
    }
}
