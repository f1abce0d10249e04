using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>The marketplace order applies each seller change exactly once, whatever the stream does.</summary>
[Collection(WorkflowCollection.Name)]
public class MirroringTests(WorkflowCluster cluster)
{
    private static SellerOrderChanged Event(SellerOrderView seller, string command = "test") =>
        new(Guid.NewGuid().ToString("N"), seller.Sequence, command, seller);

    [Fact]
    public async Task DuplicatedEvent_AppliedOnce()
    {
        var pair = await cluster.Orders.InHandling();
        var (before, seller) = await Orders.WaitForAgreement(pair);
        var historyBefore = (await pair.Marketplace.GetHistory()).Count;

        await pair.Marketplace.Deliver(Event(seller));
        await pair.Marketplace.Deliver(Event(seller));
        await pair.Seller.Republish();

        var (after, _) = await Orders.WaitForAgreement(pair);
        Assert.Equal((before.Sequence, before.Status, before.Seller!.Sequence), (after.Sequence, after.Status, after.Seller!.Sequence));
        Assert.Equal(historyBefore, (await pair.Marketplace.GetHistory()).Count);
    }

    [Fact]
    public async Task StaleEvent_AfterNewerOne_Ignored()
    {
        var pair = await cluster.Orders.InHandling();
        var (_, handling) = await Orders.WaitForAgreement(pair);
        await pair.Seller.Invoice(Orders.FullInvoice());
        await Orders.WaitForAgreement(pair);

        // A late copy of the handling event arrives after the invoiced one.
        await pair.Marketplace.Deliver(Event(handling));

        var (marketplace, seller) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.Invoiced, marketplace.Status);
        Assert.Equal(seller.Sequence, marketplace.Seller!.Sequence);
        Assert.False(marketplace.WorkflowIsInError); // ignored as old, not taken for a conflict
    }

    [Fact]
    public async Task SkippedSequence_PullsTheSellerInsteadOfTrustingTheEvent()
    {
        var pair = await cluster.Orders.InHandling();
        var (_, seller) = await Orders.WaitForAgreement(pair);

        // An event two ahead, claiming something the seller never did: the gap makes the marketplace pull.
        var forged = seller with { Sequence = seller.Sequence + 2, Status = SellerOrderStatus.Canceled };
        await pair.Marketplace.Deliver(Event(forged));

        var marketplace = (await pair.Marketplace.GetView())!;
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, marketplace.Status);
        Assert.Equal(seller.Sequence, marketplace.Seller!.Sequence);
        Assert.False(marketplace.WorkflowIsInError);
    }

    [Fact]
    public async Task SkippedSequence_RealChangeMissed_CaughtUpByThePull()
    {
        var pair = await cluster.Orders.InHandling();
        var (_, handling) = await Orders.WaitForAgreement(pair);

        // The seller opens a request; that change is lost on its way (the reader skips it): the marketplace never learns.
        var lost = cluster.Log.Lose(pair.SellerOrderId, handling.Sequence + 1);
        var cancel = await pair.Seller.Cancel(Actor.Seller, "cannot fulfil", null);
        await lost;
        Assert.Equal(handling.Sequence, (await pair.Marketplace.GetView())!.Seller!.Sequence);

        // The seller confirms: the log delivers sequence +2 after +1 never came. Only pulling the seller fills the gap.
        var accepted = await pair.Seller.AcceptCancellationRequest(cancel.CancellationRequestId!);
        Assert.Equal(handling.Sequence + 2, accepted.Seller!.Sequence);

        var (marketplace, seller) = await Orders.WaitForAgreement(pair);
        Assert.Equal(MarketplaceOrderStatus.Canceled, marketplace.Status);
        Assert.Equal(SellerOrderStatus.Canceled, seller.Status);
    }

    [Fact]
    public async Task AChangeHeldBackBehindAnOlderTransaction_ReachesTheMarketplaceOrderSoonAfter_WithoutAnotherCommitToWakeTheReader()
    {
        var pair = await cluster.Orders.InHandling();
        await Orders.WaitForAgreement(pair);

        // The invoice commits, but its entry is held back when the wake-up's read comes (an older transaction still runs).
        var heldOnce = cluster.Log.Hold(pair.SellerOrderId);
        try
        {
            Assert.Equal(CommandOutcome.Accepted, (await pair.Seller.Invoice(Orders.FullInvoice())).Outcome);
            await heldOnce;
            await Task.Delay(1500); // past the reader's cursor write (at most 1 s after its last batch): its next tick is the 30 s poll
            Assert.Equal(MarketplaceOrderStatus.PaymentApproved, (await pair.Marketplace.GetView())!.Status);
        }
        finally
        {
            cluster.Log.Release(pair.SellerOrderId);
        }

        // Nothing else commits, so no wake-up comes: the reader's own read-again brings it, within 200 ms when the machine is
        // not busy (the wait allows a loaded CI machine more; the idle poll is 30 s away).
        var (marketplace, _) = await Orders.WaitForAgreement(pair, TimeSpan.FromSeconds(5));
        Assert.Equal(MarketplaceOrderStatus.Invoiced, marketplace.Status);
    }

    [Fact]
    public async Task ASellerChange_ReachesTheMarketplaceOrderByItsPush_WhileTheLogHoldsItBack_AndTheLogsLateDeliveryIsIgnored()
    {
        var pair = await cluster.Orders.InHandling();
        await Orders.WaitForAgreement(pair);

        // The log's reader cannot deliver the invoice (held back); the seller order's push can.
        var heldOnce = cluster.Log.Hold(pair.SellerOrderId, pushes: true);
        MarketplaceOrderView? mirrored;
        try
        {
            var invoiced = await pair.Seller.Invoice(Orders.FullInvoice());
            Assert.Equal(CommandOutcome.Accepted, invoiced.Outcome);
            await heldOnce;
            mirrored = await pair.Marketplace.GetView();
            Assert.Equal(MarketplaceOrderStatus.Invoiced, mirrored!.Status);
            Assert.Equal(invoiced.Seller!.Sequence, mirrored.Seller!.Sequence);
        }
        finally
        {
            cluster.Log.Release(pair.SellerOrderId);
        }

        // The reader delivers the same change once released: the same sequence, already applied, changes nothing.
        await pair.Seller.Republish();
        await Task.Delay(500);
        var after = await pair.Marketplace.GetView();
        Assert.Equal((mirrored.Sequence, mirrored.Status, mirrored.Seller!.Sequence), (after!.Sequence, after.Status, after.Seller!.Sequence));
    }

    [Fact]
    public async Task Reconcile_AfterLostEvents_MarketplaceCatchesUp()
    {
        var pair = await cluster.Orders.InHandling();
        var (_, handling) = await Orders.WaitForAgreement(pair);

        // The invoice's change is lost on its way, and nothing comes after it: the marketplace order does not know.
        var lost = cluster.Log.Lose(pair.SellerOrderId, handling.Sequence + 1);
        await pair.Seller.Invoice(Orders.FullInvoice());
        await lost;
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, (await pair.Marketplace.GetView())!.Status);

        var view = await pair.Marketplace.Reconcile();

        Assert.Equal(MarketplaceOrderStatus.Invoiced, view!.Status);
        Assert.Equal(handling.Sequence + 1, view.Seller!.Sequence);
    }
}
