using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>domain.md §6 step by step through the grains, asserting both orders and their histories after every step.</summary>
[Collection(WorkflowCollection.Name)]
public class KnownIssueTests(WorkflowCluster cluster)
{
    public enum Answer { Accept, Deny, Invoice }

    private static async Task AssertBoth(Orders.Pair pair, MarketplaceOrderStatus marketplace, SellerOrderStatus seller, string sellerCommand, CommandOutcome outcome)
    {
        var (m, s) = await Orders.WaitForAgreement(pair);
        Assert.Equal(marketplace, m.Status);
        Assert.Equal(seller, s.Status);
        var last = (await pair.Seller.GetHistory())[^1];
        Assert.Equal(sellerCommand, last.Command);
        Assert.Equal(outcome, last.Outcome);
        Assert.Equal(seller.Vtex(), last.ToStatus);
        // The marketplace's history holds only its own commands; the seller's changes it mirrors are in the seller's history.
        Assert.DoesNotContain(await pair.Marketplace.GetHistory(), h => h.Command == "seller-changed");
    }

    [Theory]
    [InlineData(Answer.Accept, MarketplaceOrderStatus.Canceled, SellerOrderStatus.Canceled)]
    [InlineData(Answer.Deny, MarketplaceOrderStatus.PaymentApproved, SellerOrderStatus.Handling)]
    [InlineData(Answer.Invoice, MarketplaceOrderStatus.Invoiced, SellerOrderStatus.Invoiced)]
    public async Task KnownIssue_SellerDeniesItsOwnRequestThenMarketplaceCancels_NeverStuck(
        Answer answer, MarketplaceOrderStatus marketplaceEnd, SellerOrderStatus sellerEnd)
    {
        // 1. an order with a white label seller
        var pair = await cluster.Orders.Place();
        await AssertBoth(pair, MarketplaceOrderStatus.PaymentPending, SellerOrderStatus.OrderAccepted, "place", CommandOutcome.Accepted);

        // 2. payment approved, the window passes, the seller starts handling
        await pair.Marketplace.ApprovePayment();
        await Orders.WaitForSeller(pair, SellerOrderStatus.ReadyForHandling);
        await pair.Seller.StartHandling();
        await AssertBoth(pair, MarketplaceOrderStatus.PaymentApproved, SellerOrderStatus.Handling, "start-handling", CommandOutcome.Accepted);

        // 3. the seller requests cancellation of its own order
        var own = await pair.Seller.Cancel(Actor.Seller, "cannot fulfil", "erp");
        Assert.Equal(CommandOutcome.Accepted, own.Outcome);
        await AssertBoth(pair, MarketplaceOrderStatus.PaymentApproved, SellerOrderStatus.CancellationRequested, "cancel-by-seller", CommandOutcome.Accepted);

        // 4. the seller denies that request (VTEX: stuck in cancellation-request-denied-ffm): taken as a withdrawal
        var deny = await pair.Seller.DenyCancellationRequest(own.CancellationRequestId!, "changed my mind");
        Assert.Equal(CommandOutcome.Accepted, deny.Outcome);
        Assert.Equal(RequestOutcome.Withdrawn, deny.Seller!.CancellationRequests.Single().Outcome);
        await AssertBoth(pair, MarketplaceOrderStatus.PaymentApproved, SellerOrderStatus.Handling, "deny-cancellation-request", CommandOutcome.Accepted);

        // 5. the marketplace cancels (VTEX: stuck in request-cancel): a new request opens
        var cancel = await pair.Marketplace.Cancel(Actor.Marketplace, "customer asked", "operator@marketplace");
        Assert.Equal(CommandOutcome.Accepted, cancel.Outcome);
        Assert.Equal(MarketplaceOrderStatus.WaitingForSellerDecision, cancel.Order!.Status); // applied at once, not via the stream
        Assert.NotEqual(own.CancellationRequestId, cancel.CancellationRequestId);
        await AssertBoth(pair, MarketplaceOrderStatus.WaitingForSellerDecision, SellerOrderStatus.CancellationRequested, "cancel-by-marketplace", CommandOutcome.Accepted);

        // 6. the seller answers
        var reply = answer switch
        {
            Answer.Accept => await pair.Seller.AcceptCancellationRequest(cancel.CancellationRequestId!),
            Answer.Deny => await pair.Seller.DenyCancellationRequest(cancel.CancellationRequestId!, "already shipped"),
            _ => await pair.Seller.Invoice(Orders.FullInvoice()),
        };
        Assert.Equal(CommandOutcome.Accepted, reply.Outcome);
        var command = answer switch { Answer.Accept => "accept-cancellation-request", Answer.Deny => "deny-cancellation-request", _ => "invoice" };
        await AssertBoth(pair, marketplaceEnd, sellerEnd, command, CommandOutcome.Accepted);

        var history = await pair.Marketplace.GetHistory();
        Assert.Contains(history, h => h.Command == "cancel-by-marketplace" && h.ToStatus == "waiting-for-seller-decision");
    }
}
