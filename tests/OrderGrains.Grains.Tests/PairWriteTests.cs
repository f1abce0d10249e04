using Orleans.Storage;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// A marketplace command the seller order decides commits both orders in one write: either both rows change or neither.
/// </summary>
[Collection(WorkflowCollection.Name)]
public class PairWriteTests(WorkflowCluster cluster)
{
    [Fact]
    public async Task PaymentApproval_WhoseMarketplaceRowMovedOnBehindIt_ChangesNeitherOrder_AndTheRetryIsAccepted()
    {
        var pair = await cluster.Orders.Place();
        var sellerBefore = (await pair.Seller.GetView())!;

        // Another writer moves the marketplace order's row on (as a second activation of it would): the version the
        // grain holds is stale now, so the pair's transaction must fail as a whole.
        var marketplaceRow = new GrainState<MarketplaceOrderState>();
        var marketplaceId = pair.Marketplace.GetGrainId();
        await cluster.Storage.ReadStateAsync(StorageNames.MarketplaceOrderState, marketplaceId, marketplaceRow);
        await cluster.Storage.WriteStateAsync(StorageNames.MarketplaceOrderState, marketplaceId, marketplaceRow);

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => pair.Marketplace.ApprovePayment());
        Assert.Contains(nameof(InconsistentStateException), failed.ToString());

        // The seller order did not authorize fulfilment: not in its row, not in its change log.
        var sellerRow = new GrainState<SellerOrderState>();
        await cluster.Storage.ReadStateAsync(StorageNames.SellerOrderState, pair.Seller.GetGrainId(), sellerRow);
        Assert.Equal((SellerOrderStatus.OrderAccepted, sellerBefore.Sequence), (sellerRow.State!.Status, sellerRow.State.Sequence));
        Assert.DoesNotContain(await cluster.Storage.Log.OrderEntries(pair.SellerOrderId), e => e.Sequence > sellerBefore.Sequence);
        Assert.Equal(SellerOrderStatus.OrderAccepted, (await pair.Seller.GetView())!.Status);

        // Both activations were dropped and read their rows again: the payment is approved now, once, on both orders.
        var retry = await pair.Marketplace.ApprovePayment();
        Assert.Equal(CommandOutcome.Accepted, retry.Outcome);
        var (marketplace, seller) = await Orders.WaitForAgreement(pair);
        Assert.Equal(PaymentStatus.Approved, marketplace.Payment);
        Assert.Equal(SellerOrderStatus.ReadyForHandling, seller.Status);
    }

    [Fact]
    public async Task PaymentApproval_WithAZeroWindow_CommitsTheWindowsExpiryInTheSameWrite_AsATransitionAndLogEntryOfItsOwn()
    {
        var pair = await cluster.Orders.Place();
        var placed = (await pair.Seller.GetView())!;

        var reply = await pair.Marketplace.ApprovePayment();

        // Answered once both steps were stored: the marketplace row mirrors the expiry already (no timer trip, no later write).
        Assert.Equal((CommandOutcome.Accepted, SellerOrderStatus.ReadyForHandling), (reply.Outcome, reply.Order!.Seller!.Status));
        var marketplaceRow = new GrainState<MarketplaceOrderState>();
        await cluster.Storage.ReadStateAsync(StorageNames.MarketplaceOrderState, pair.Marketplace.GetGrainId(), marketplaceRow);
        Assert.Equal((SellerOrderStatus.ReadyForHandling, placed.Sequence + 2), (marketplaceRow.State!.Seller!.Status, marketplaceRow.State.SellerSequence));
        var sellerRow = new GrainState<SellerOrderState>();
        await cluster.Storage.ReadStateAsync(StorageNames.SellerOrderState, pair.Seller.GetGrainId(), sellerRow);
        Assert.Equal((SellerOrderStatus.ReadyForHandling, placed.Sequence + 2), (sellerRow.State!.Status, sellerRow.State.Sequence));

        // Still two transitions: each its own sequence number and change-log entry, in order.
        var entries = await cluster.Storage.Log.OrderEntries(pair.SellerOrderId);
        Assert.Equal([(placed.Sequence + 1, SellerOrderStatus.WindowToCancel), (placed.Sequence + 2, SellerOrderStatus.ReadyForHandling)],
            entries.Where(e => e.Sequence > placed.Sequence).Select(e => (e.Sequence, e.Seller.Status)));
        Assert.Equal(["place", "authorize-fulfillment", "window-expired"], sellerRow.State.History.Select(h => h.Command));
    }
}
