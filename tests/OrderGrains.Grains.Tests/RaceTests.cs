using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// Conflicting commands fired at once from separate tasks, many times over. Each iteration must end in one
/// of the outcomes the table allows, with both orders agreeing (§5.3), no order resting without an exit,
/// and final statuses that never change again.
/// </summary>
[Collection(WorkflowCollection.Name)]
public class RaceTests(WorkflowCluster cluster, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Iterations = 100;
    private const int Parallelism = 10;

    private sealed record Setup(Orders.Pair Pair, string? RequestId);

    /// <summary>
    /// One iteration: both outcomes (with codes), both final statuses, and which command took effect first ("A" or "B";
    /// an allowed result says which ordering it means).
    /// </summary>
    private sealed record Result(string A, string B, SellerOrderStatus Seller, MarketplaceOrderStatus Marketplace, string First = "")
    {
        public bool SameOutcome(Result other) => (A, B, Seller, Marketplace) == (other.A, other.B, other.Seller, other.Marketplace);
        public override string ToString() => $"A={A} B={B} seller={Seller.Vtex()} marketplace={Marketplace.Vtex()}";
    }

    private static Result AFirst(string a, string b, SellerOrderStatus seller, MarketplaceOrderStatus marketplace) => new(a, b, seller, marketplace, "A");

    private static Result BFirst(string a, string b, SellerOrderStatus seller, MarketplaceOrderStatus marketplace) => new(a, b, seller, marketplace, "B");

    private static string Describe(CommandOutcome outcome, string? code) => code is null ? outcome.ToString() : $"{outcome}:{code}";

    private async Task<Setup> HandlingWithRequestBy(Actor requester)
    {
        var pair = await cluster.Orders.InHandling();
        var reply = requester == Actor.Seller
            ? (await pair.Seller.Cancel(Actor.Seller, "cannot fulfil", null)).CancellationRequestId
            : (await pair.Marketplace.Cancel(requester, "customer asked", null)).CancellationRequestId;
        Assert.NotNull(reply);
        await Orders.WaitForAgreement(pair);
        return new Setup(pair, reply);
    }

    private async Task<Setup> Handling() => new(await cluster.Orders.InHandling(), null);

    private Task Race(
        Func<Task<Setup>> setup,
        Func<Setup, Task<(CommandOutcome, string?)>> a,
        Func<Setup, Task<(CommandOutcome, string?)>> b,
        params Result[] allowed) => Race(setup, a, b, null, allowed);

    /// <param name="first">Tells which command took effect first from the seller order, where the outcomes cannot tell.</param>
    private async Task Race(
        Func<Task<Setup>> setup,
        Func<Setup, Task<(CommandOutcome, string?)>> a,
        Func<Setup, Task<(CommandOutcome, string?)>> b,
        Func<SellerOrderView, string>? first,
        params Result[] allowed)
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<Result>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Iterations), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var s = await setup();
            var gate = new TaskCompletionSource();
            // Half the iterations start A's task first, half B's: both are released by one gate and race from there.
            Task<(CommandOutcome, string?)> ta, tb;
            if (i % 2 == 0)
            {
                ta = Task.Run(async () => { await gate.Task; return await a(s); });
                tb = Task.Run(async () => { await gate.Task; return await b(s); });
            }
            else
            {
                tb = Task.Run(async () => { await gate.Task; return await b(s); });
                ta = Task.Run(async () => { await gate.Task; return await a(s); });
            }
            gate.SetResult();
            var (oa, ca) = await ta;
            var (ob, cb) = await tb;

            var (marketplace, seller) = await Orders.WaitForAgreement(s.Pair);
            var observed = new Result(Describe(oa, ca), Describe(ob, cb), seller.Status, marketplace.Status);
            var matches = allowed.Where(r => r.SameOutcome(observed)).ToList();
            Assert.True(matches.Count > 0, $"outcome not allowed by the table: {observed}");
            var result = observed with { First = first?.Invoke(seller) ?? matches[0].First };
            AssertHasAnExit(seller);

            if (seller.Status.IsFinal())
            {
                // Final statuses never change: replay both commands and look again.
                await a(s);
                await b(s);
                var (m2, s2) = await Orders.WaitForAgreement(s.Pair);
                Assert.Equal(seller.Status, s2.Status);
                Assert.Equal(marketplace.Status, m2.Status);
                Assert.Equal(seller.Sequence, s2.Sequence);
            }
            seen.Add(result);
        });

        // Both orderings happened (the race was a race), and each iteration is one of the allowed results.
        output.WriteLine(string.Join("; ", seen.GroupBy(r => r).Select(g => $"{g.Key} first={g.Key.First}: {g.Count()}")));
        var orderings = seen.Select(r => r.First).Distinct().Order().ToList();
        Assert.True(orderings.SequenceEqual(["A", "B"]), $"only {string.Join(", ", orderings)} first in {Iterations} iterations: {string.Join("; ", seen.Distinct())}");
    }

    private static void AssertHasAnExit(SellerOrderView seller)
    {
        switch (seller.Status)
        {
            case SellerOrderStatus.CancellationRequested:
                Assert.NotNull(seller.OpenRequest);
                Assert.NotNull(seller.NextDeadline);
                break;
            case SellerOrderStatus.OrderAccepted or SellerOrderStatus.WindowToCancel:
                Assert.NotNull(seller.NextDeadline);
                break;
        }
        Assert.True(seller.CancellationRequests.Count(r => r.IsOpen) <= 1, "more than one open request");
    }

    private static async Task<(CommandOutcome, string?)> Run<T>(Task<T> call, Func<T, (CommandOutcome, string?)> pick) => pick(await call);

    private static Task<(CommandOutcome, string?)> M(Task<MarketplaceReply> call) => Run(call, r => (r.Outcome, r.Code));

    private static Task<(CommandOutcome, string?)> S(Task<SellerReply> call) => Run(call, r => (r.Outcome, r.Code));

    private const string Accepted = nameof(CommandOutcome.Accepted);
    private const string Replayed = nameof(CommandOutcome.Replayed);
    private static readonly string Closed = $"Rejected:{RejectionCodes.CancellationRequestClosed}";
    private static readonly string Final = $"Rejected:{RejectionCodes.OrderIsFinal}";

    [Fact]
    public Task MarketplaceCancel_vs_SellerDeniesItsOwnRequest() => Race(
        () => HandlingWithRequestBy(Actor.Seller),
        s => M(s.Pair.Marketplace.Cancel(Actor.Marketplace, "customer asked", null)),
        s => S(s.Pair.Seller.DenyCancellationRequest(s.RequestId!, "oops")),
        // cancel first: it agrees with the seller's request → canceled; the deny finds it closed
        AFirst(Accepted, Closed, SellerOrderStatus.Canceled, MarketplaceOrderStatus.Canceled),
        // deny first: withdrawn, back to handling; the cancel opens a new request
        BFirst(Accepted, Accepted, SellerOrderStatus.CancellationRequested, MarketplaceOrderStatus.WaitingForSellerDecision));

    [Fact]
    public Task MarketplaceCancel_vs_SellerDeniesMarketplaceRequest() => Race(
        () => HandlingWithRequestBy(Actor.Marketplace),
        s => M(s.Pair.Marketplace.Cancel(Actor.Marketplace, "again", null)),
        s => S(s.Pair.Seller.DenyCancellationRequest(s.RequestId!, "shipped")),
        // cancel first joins the open request, then the deny closes it
        AFirst(Replayed, Accepted, SellerOrderStatus.Handling, MarketplaceOrderStatus.PaymentApproved),
        // deny first, then the cancel opens a fresh request
        BFirst(Accepted, Accepted, SellerOrderStatus.CancellationRequested, MarketplaceOrderStatus.WaitingForSellerDecision));

    [Fact]
    public Task MarketplaceCancel_vs_SellerInvoice() => Race(
        Handling,
        s => M(s.Pair.Marketplace.Cancel(Actor.Marketplace, "customer asked", null)),
        s => S(s.Pair.Seller.Invoice(Orders.FullInvoice())),
        // invoice first: final; the cancel is refused and says why
        BFirst(Final, Accepted, SellerOrderStatus.Invoiced, MarketplaceOrderStatus.Invoiced),
        // cancel first: a request opens; the invoice answers it as denied
        AFirst(Accepted, Accepted, SellerOrderStatus.Invoiced, MarketplaceOrderStatus.Invoiced));

    [Fact]
    public Task SellerAccept_vs_SellerDeny() => Race(
        () => HandlingWithRequestBy(Actor.Marketplace),
        s => S(s.Pair.Seller.AcceptCancellationRequest(s.RequestId!)),
        s => S(s.Pair.Seller.DenyCancellationRequest(s.RequestId!, "no")),
        AFirst(Accepted, Closed, SellerOrderStatus.Canceled, MarketplaceOrderStatus.Canceled),
        BFirst(Closed, Accepted, SellerOrderStatus.Handling, MarketplaceOrderStatus.PaymentApproved));

    [Fact]
    public Task SellerCancel_vs_MarketplaceCancel() => Race(
        Handling,
        s => S(s.Pair.Seller.Cancel(Actor.Seller, "cannot fulfil", null)),
        s => M(s.Pair.Marketplace.Cancel(Actor.Marketplace, "customer asked", null)),
        // the outcomes are the same either way: who opened the request tells which came first
        seller => seller.CancellationRequests[0].RequestedBy == Actor.Seller ? "A" : "B",
        // whichever opens the request, the other side's cancel agrees with it
        new Result(Accepted, Accepted, SellerOrderStatus.Canceled, MarketplaceOrderStatus.Canceled));

    [Fact]
    public Task MarketplaceWithdraw_vs_SellerAccept() => Race(
        () => HandlingWithRequestBy(Actor.Marketplace),
        s => M(s.Pair.Marketplace.WithdrawCancellationRequest(Actor.Marketplace, s.RequestId!)),
        s => S(s.Pair.Seller.AcceptCancellationRequest(s.RequestId!)),
        AFirst(Accepted, Closed, SellerOrderStatus.Handling, MarketplaceOrderStatus.PaymentApproved),
        // accept first: the withdraw reaches the seller (request closed) or finds the marketplace already canceled
        BFirst(Closed, Accepted, SellerOrderStatus.Canceled, MarketplaceOrderStatus.Canceled),
        BFirst(Final, Accepted, SellerOrderStatus.Canceled, MarketplaceOrderStatus.Canceled));

    [Fact]
    public Task RequesterDeny_vs_RequesterConfirm() => Race(
        () => HandlingWithRequestBy(Actor.Seller),
        s => S(s.Pair.Seller.DenyCancellationRequest(s.RequestId!, "oops")),
        s => S(s.Pair.Seller.AcceptCancellationRequest(s.RequestId!)),
        AFirst(Accepted, Closed, SellerOrderStatus.Handling, MarketplaceOrderStatus.PaymentApproved),
        BFirst(Closed, Accepted, SellerOrderStatus.Canceled, MarketplaceOrderStatus.Canceled));

    [Fact]
    public Task RequesterDeny_vs_Invoice() => Race(
        () => HandlingWithRequestBy(Actor.Seller),
        s => S(s.Pair.Seller.DenyCancellationRequest(s.RequestId!, "oops")),
        s => S(s.Pair.Seller.Invoice(Orders.FullInvoice())),
        AFirst(Accepted, Accepted, SellerOrderStatus.Invoiced, MarketplaceOrderStatus.Invoiced),
        BFirst(Closed, Accepted, SellerOrderStatus.Invoiced, MarketplaceOrderStatus.Invoiced));

    [Fact]
    public Task RequesterDeny_vs_RequesterWithdraw() => Race(
        () => HandlingWithRequestBy(Actor.Seller),
        s => S(s.Pair.Seller.DenyCancellationRequest(s.RequestId!, "oops")),
        s => S(s.Pair.Seller.WithdrawCancellationRequest(Actor.Seller, s.RequestId!)),
        // both mean "take it back": the second replays the first's decision
        AFirst(Accepted, Replayed, SellerOrderStatus.Handling, MarketplaceOrderStatus.PaymentApproved),
        BFirst(Replayed, Accepted, SellerOrderStatus.Handling, MarketplaceOrderStatus.PaymentApproved));
}
