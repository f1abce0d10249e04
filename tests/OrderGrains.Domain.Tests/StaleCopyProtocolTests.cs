using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

/// <summary>
/// The marketplace never answers from a stale copy of its seller order: the seller's changes below are NOT mirrored
/// before the marketplace command runs (as when the stream event is still on its way), and the answer must still be
/// the one a serial order of the commands explains.
/// </summary>
public class StaleCopyProtocolTests
{
    private static void AtSeller(MarketplacePair pair, SellerCommand command) =>
        Assert.NotEqual(CommandOutcome.Rejected, SellerOrderDecider.Handle(pair.Seller, command, SellerFixtures.Later, SellerFixtures.Timings).Outcome);

    [Fact]
    public void MarketplaceCancel_WhileItsCopyStillWaitsButTheSellerOpenedItsOwnRequest_IsCanceledNot500()
    {
        var pair = MarketplacePair.In(MarketplaceOrderStatus.PaymentApproved); // seller handling
        var first = pair.Forward(MarketplaceCommandKind.CancelByMarketplace);  // request cr1
        Assert.Equal(MarketplaceOrderStatus.WaitingForSellerDecision, pair.Order.Status);

        // The seller answers cr1 with a partial invoice (handling again), then opens its own request cr2 — not mirrored yet.
        AtSeller(pair, new AddInvoice(new Invoice("INV-P", 100, SellerFixtures.Later, [new InvoiceItem("sku1", 1, 100)])));
        AtSeller(pair, new CancelSellerOrder(Actor.Seller, "out of stock"));
        Assert.Equal(SellerOrderStatus.CancellationRequested, pair.Seller.Status);
        Assert.Equal(MarketplaceOrderStatus.WaitingForSellerDecision, pair.Order.Status); // stale

        var second = pair.Forward(MarketplaceCommandKind.CancelByMarketplace);

        // Serially: the marketplace's cancel meets the seller's own open request, they agree, the order is canceled.
        Assert.Equal(CommandOutcome.Accepted, second.Outcome);
        Assert.Equal(SellerOrderStatus.Canceled, pair.Seller.Status);
        Assert.Equal(MarketplaceOrderStatus.Canceled, pair.Order.Status);
        Assert.False(pair.Order.WorkflowIsInError);
        Assert.NotEqual(first.CancellationRequestId, second.CancellationRequestId);
    }

    [Fact]
    public void PaymentApproval_AfterTheSellerCanceled_IsRefusedAndTheMarketplaceFollows()
    {
        var pair = MarketplacePair.In(MarketplaceOrderStatus.PaymentPending); // seller order-accepted
        AtSeller(pair, new CancelSellerOrder(Actor.Seller, "no stock"));   // not mirrored yet
        Assert.Equal(MarketplaceOrderStatus.PaymentPending, pair.Order.Status);

        var approval = pair.Forward(MarketplaceCommandKind.PaymentApproved);

        // Serially the cancel came first: a canceled order cannot have its payment approved.
        Assert.Equal(CommandOutcome.Rejected, approval.Outcome);
        Assert.Equal(RejectionCodes.OrderIsFinal, approval.Code);
        Assert.Equal(PaymentStatus.Pending, pair.Order.Payment);
        Assert.Equal(MarketplaceOrderStatus.Canceled, pair.Order.Status);
        Assert.DoesNotContain(pair.Seller.History, h => h.Command == "authorize-fulfillment" && h.Outcome == CommandOutcome.Accepted);
    }

    [Fact]
    public void PaymentApproval_WhenTheSellerWasAlreadyAuthorized_IsApprovedWithoutAuthorizingTwice()
    {
        // A crash after the seller authorized and before the marketplace wrote: the gateway retries the approval.
        var pair = MarketplacePair.In(MarketplaceOrderStatus.PaymentPending);
        AtSeller(pair, new AuthorizeFulfillment());

        var approval = pair.Forward(MarketplaceCommandKind.PaymentApproved);

        Assert.Equal(CommandOutcome.Accepted, approval.Outcome);
        Assert.Equal(PaymentStatus.Approved, pair.Order.Payment);
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, pair.Order.Status);
        Assert.Single(pair.Seller.History, h => h.Command == "authorize-fulfillment" && h.Outcome == CommandOutcome.Accepted);
    }

    [Theory]
    [InlineData(MarketplaceCommandKind.CancelByMarketplace)]
    [InlineData(MarketplaceCommandKind.WithdrawCancellationRequest)]
    [InlineData(MarketplaceCommandKind.PaymentApproved)]
    public void Answer_DoesNotDependOnHowFarTheMirrorGot(MarketplaceCommandKind kind)
    {
        // The same seller history, once mirrored and once not: the marketplace's answer must be the same.
        MarketplacePair Build(bool mirrored)
        {
            var pair = MarketplacePair.In(MarketplaceOrderStatus.PaymentApproved);
            pair.Forward(MarketplaceCommandKind.CancelByMarketplace);
            AtSeller(pair, new AddInvoice(new Invoice("INV-1", SellerFixtures.Total - 100, SellerFixtures.Later, [])));
            if (mirrored) pair.Mirror();
            return pair;
        }
        var stale = Build(mirrored: false);
        var fresh = Build(mirrored: true);

        var a = stale.Forward(kind);
        var b = fresh.Forward(kind);

        Assert.Equal(b.Outcome, a.Outcome);
        Assert.Equal(b.Code, a.Code);
        if (kind != MarketplaceCommandKind.PaymentApproved)
        {
            // Asked the seller, so the stale copy caught up with the answer (a payment retry is answered alone, from the payment).
            Assert.Equal(fresh.Order.Status, stale.Order.Status);
        }
    }
}
