using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

/// <summary>domain.md §6 on the deciders alone (the cluster and HTTP suites replay it through grains).</summary>
public class KnownIssueDomainTests
{
    [Theory]
    [InlineData("accept", MarketplaceOrderStatus.Canceled, SellerOrderStatus.Canceled)]
    [InlineData("deny", MarketplaceOrderStatus.PaymentApproved, SellerOrderStatus.Handling)]
    [InlineData("invoice", MarketplaceOrderStatus.Invoiced, SellerOrderStatus.Invoiced)]
    [InlineData("deadline", MarketplaceOrderStatus.Canceled, SellerOrderStatus.Canceled)]
    public void KnownIssue_SellerDeniesOwnRequestThenMarketplaceCancels_EndsInADefinedOutcome(
        string answer, MarketplaceOrderStatus marketplaceEnd, SellerOrderStatus sellerEnd)
    {
        var pair = MarketplacePair.In(MarketplaceOrderStatus.PaymentApproved); // step 1-2: seller handling
        var seller = pair.Seller;
        var now = SellerFixtures.Later;
        Assert.Equal(SellerOrderStatus.Handling, seller.Status);

        // 3. the seller requests cancellation of its own order
        SellerOrderDecider.Handle(seller, new CancelSellerOrder(Actor.Seller, "out of stock"), now, SellerFixtures.Timings);
        pair.Mirror();
        Assert.Equal(SellerOrderStatus.CancellationRequested, seller.Status);
        Assert.Equal(MarketplaceOrderStatus.PaymentApproved, pair.Order.Status);

        // 4. the seller denies its own request: taken as a withdrawal, back to handling
        SellerOrderDecider.Handle(seller, new DenyCancellationRequest(seller.OpenRequest!.Id, "oops"), now, SellerFixtures.Timings);
        pair.Mirror();
        Assert.Equal(SellerOrderStatus.Handling, seller.Status);
        Assert.Contains("withdrawal", seller.History[^1].Reason);

        // 5. the marketplace cancels: a new request opens
        var cancel = pair.Forward(MarketplaceCommandKind.CancelByMarketplace);
        Assert.Equal(CommandOutcome.Accepted, cancel.Outcome);
        Assert.Equal(MarketplaceOrderStatus.WaitingForSellerDecision, pair.Order.Status);
        Assert.Equal(SellerOrderStatus.CancellationRequested, seller.Status);
        var requestId = seller.OpenRequest!.Id;
        Assert.Equal(requestId, cancel.CancellationRequestId);

        // 6. the seller answers
        SellerCommand command = answer switch
        {
            "accept" => new AcceptCancellationRequest(requestId),
            "deny" => new DenyCancellationRequest(requestId, "already packed"),
            "invoice" => new AddInvoice(new Invoice("INV-9", seller.Value - seller.InvoicedValue, now, [])),
            _ => new ReachDeadline(),
        };
        var at = answer == "deadline" ? seller.OpenRequest.Deadline : now;
        var d = SellerOrderDecider.Handle(seller, command, at, SellerFixtures.Timings);
        pair.Mirror();

        Assert.Equal(CommandOutcome.Accepted, d.Outcome);
        Assert.Equal(sellerEnd, seller.Status);
        Assert.Equal(marketplaceEnd, pair.Order.Status);
    }

    [Fact]
    public void Diagram_RendersEveryTableRow()
    {
        var seller = TransitionDiagram.Seller();
        foreach (var row in SellerTransitions.Table)
            foreach (var to in row.To)
                Assert.Contains($"{row.From} --> {to}", seller);
        var marketplace = TransitionDiagram.Marketplace();
        foreach (var row in MarketplaceTransitions.Table)
            foreach (var to in row.To)
                Assert.Contains($"{row.From} --> {to}", marketplace);
    }
}
