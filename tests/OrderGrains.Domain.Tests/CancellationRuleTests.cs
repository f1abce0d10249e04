using OrderGrains.Domain.SellerOrders;
using static OrderGrains.Domain.Tests.SellerFixtures;

namespace OrderGrains.Domain.Tests;

public class CancellationRuleTests
{
    private static Decision<SellerEvent, SellerOrderStatus> Act(SellerOrderState s, SellerCommand c) =>
        SellerOrderDecider.Handle(s, c, Later, Timings);

    [Fact]
    public void DenyOwnRequest_BySeller_IsTakenAsWithdrawalAndResumesHandling()
    {
        var s = In(SellerOrderStatus.CancellationRequested, requester: Actor.Seller);
        var id = s.OpenRequest!.Id;

        var d = Act(s, new DenyCancellationRequest(id, "changed my mind"));

        Assert.Equal(CommandOutcome.Accepted, d.Outcome);
        Assert.Equal(SellerOrderStatus.Handling, s.Status);
        Assert.Equal(RequestOutcome.Withdrawn, s.CancellationRequests.Single(r => r.Id == id).Outcome);
        Assert.Contains("withdrawal", s.History[^1].Reason);
    }

    [Fact]
    public void DenyAgain_AfterDeny_ReplaysTheSameDecision()
    {
        var s = In(SellerOrderStatus.CancellationRequested);
        var id = s.OpenRequest!.Id;
        Act(s, new DenyCancellationRequest(id, "no"));

        var d = Act(s, new DenyCancellationRequest(id, "no"));

        Assert.Equal(CommandOutcome.Replayed, d.Outcome);
        Assert.Equal(id, d.CancellationRequestId);
    }

    [Fact]
    public void Accept_AfterDeny_ConflictNamesOutcomeAndStatus()
    {
        var s = In(SellerOrderStatus.CancellationRequested);
        var id = s.OpenRequest!.Id;
        Act(s, new DenyCancellationRequest(id, "no"));

        var d = Act(s, new AcceptCancellationRequest(id));

        Assert.Equal(RejectionCodes.CancellationRequestClosed, d.Code);
        Assert.Contains("denied", d.Message);
        Assert.Contains("handling", d.Message);
    }

    [Fact]
    public void SecondCancel_SameSide_JoinsTheOpenRequest()
    {
        var s = In(SellerOrderStatus.CancellationRequested);
        var id = s.OpenRequest!.Id;

        var d = Act(s, new CancelSellerOrder(Actor.Customer, "me too"));

        Assert.Equal(CommandOutcome.Replayed, d.Outcome);
        Assert.Equal(id, d.CancellationRequestId);
        Assert.Single(s.CancellationRequests);
    }

    [Fact]
    public void Cancel_ByCounterpartyOfOpenRequest_AgreesAndCancels()
    {
        var s = In(SellerOrderStatus.CancellationRequested, requester: Actor.Seller);

        var d = Act(s, new CancelSellerOrder(Actor.Marketplace, "fine"));

        Assert.Equal(SellerOrderStatus.Canceled, s.Status);
        Assert.Equal(RequestOutcome.AgreedByCounterparty, s.CancellationRequests[^1].Outcome);
        Assert.Equal(Actor.Seller, s.CanceledBy);
        Assert.True(d.IsAccepted);
    }

    [Fact]
    public void Withdraw_ByNonRequester_RejectedNotTheRequester()
    {
        var s = In(SellerOrderStatus.CancellationRequested);

        var d = Act(s, new WithdrawCancellationRequest(Actor.Seller, s.OpenRequest!.Id));

        Assert.Equal(RejectionCodes.NotTheRequester, d.Code);
        Assert.Equal(SellerOrderStatus.CancellationRequested, s.Status);
    }

    [Fact]
    public void Invoice_WhileRequestOpen_AnswersRequestAsDeniedAndInvoices()
    {
        var s = In(SellerOrderStatus.CancellationRequested);

        var d = Act(s, new AddInvoice(PartialInvoice("INV-9", Total - 100)));

        Assert.Equal(SellerOrderStatus.Invoiced, s.Status);
        Assert.Equal(RequestOutcome.AnsweredByInvoice, s.CancellationRequests[^1].Outcome);
        Assert.True(d.IsAccepted);
    }

    [Fact]
    public void Invoice_WhileRequestInterruptedReadyForHandling_Rejected()
    {
        var s = In(SellerOrderStatus.ReadyForHandling);
        Act(s, new CancelSellerOrder(Actor.Marketplace, "x"));

        var d = Act(s, new AddInvoice(PartialInvoice("INV-9")));

        Assert.Equal(RejectionCodes.TransitionNotAllowed, d.Code);
    }

    [Fact]
    public void Invoice_SameNumberTwice_ReplaysAndDifferentContentConflicts()
    {
        var s = In(SellerOrderStatus.Handling);

        Assert.Equal(CommandOutcome.Replayed, Act(s, new AddInvoice(PartialInvoice("INV-0"))).Outcome);
        Assert.Equal(RejectionCodes.InvoiceNumberConflict, Act(s, new AddInvoice(PartialInvoice("INV-0", 200))).Code);
        Assert.Single(s.Invoices);
    }

    [Fact]
    public void Invoice_MoreThanTheTotal_Rejected()
    {
        var s = In(SellerOrderStatus.Handling);

        Assert.Equal(RejectionCodes.InvoiceExceedsTotal, Act(s, new AddInvoice(PartialInvoice("INV-9", Total))).Code);
    }

    [Fact]
    public void Invoice_ReplayOnInvoicedOrder_IsIdempotent()
    {
        var s = In(SellerOrderStatus.Invoiced);

        Assert.Equal(CommandOutcome.Replayed, Act(s, new AddInvoice(new Invoice("INV-1", Total - 100, T0, []))).Outcome);
        Assert.Equal(SellerOrderStatus.Invoiced, s.Status);
    }

    [Fact]
    public void Deadline_BeforeItsTime_RejectedDeadlineNotReached()
    {
        var s = In(SellerOrderStatus.CancellationRequested);

        var d = SellerOrderDecider.Handle(s, new ReachDeadline(), s.OpenRequest!.Deadline.AddSeconds(-1), Timings);

        Assert.Equal(RejectionCodes.DeadlineNotReached, d.Code);
    }

    [Fact]
    public void Deadline_OnOpenRequest_CancelsAsDefaultOutcome()
    {
        var s = In(SellerOrderStatus.CancellationRequested);
        var deadline = s.OpenRequest!.Deadline;

        SellerOrderDecider.Handle(s, new ReachDeadline(), deadline, Timings);

        Assert.Equal(SellerOrderStatus.Canceled, s.Status);
        Assert.Equal(RequestOutcome.CanceledAtDeadline, s.CancellationRequests[^1].Outcome);
        Assert.Null(s.NextDeadline);
    }

    [Fact]
    public void Window_BeforeItEnds_DoesNotExpire()
    {
        var s = In(SellerOrderStatus.WindowToCancel);

        var d = SellerOrderDecider.Handle(s, new ExpireCancellationWindow(), s.WindowEndsAt!.Value.AddMilliseconds(-1), Timings);

        Assert.Equal(RejectionCodes.DeadlineNotReached, d.Code);
        Assert.Equal(SellerOrderStatus.WindowToCancel, s.Status);
    }

    [Fact]
    public void History_RecordsEveryCommandWithActorOutcomeAndReason()
    {
        var s = In(SellerOrderStatus.Handling);
        Act(s, new StartHandling());

        var last = s.History[^1];
        Assert.Equal("start-handling", last.Command);
        Assert.Equal(Actor.Seller, last.Actor);
        Assert.Equal(CommandOutcome.Rejected, last.Outcome);
        Assert.Equal("OMS003", last.Code);
        Assert.Equal(Later, last.At);
        Assert.Equal(s.History.Count, s.History.Select(h => h).Count());
    }
}
