using System.Text;
using System.Text.Json;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;
using Xunit.Abstractions;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// Random histories of marketplace, customer and seller commands against the real grains — one at a time and two or
/// three released together — each answer checked against a model made of the transition tables and the two-order
/// protocol: some serial order of every batch must explain every answer (outcome, code, request id), and at rest both
/// orders must be where the model says and agree with each other. A failure prints the seed and the history.
/// </summary>
[Collection(WorkflowCollection.Name)]
public class RandomHistoryTests(WorkflowCluster cluster, ITestOutputHelper output)
{
    private const int Histories = 1000;
    private const int Parallel = 16;
    private static readonly WorkflowTimings Timings = new(TimeSpan.Zero, TimeSpan.FromDays(30), TimeSpan.FromDays(30));

    [Fact]
    public async Task ThousandRandomHistories_EveryAnswerIsExplainedBySomeSerialOrder_AndPairsAgreeAtRest()
    {
        var seed = Environment.GetEnvironmentVariable("ORDERGRAINS_HISTORY_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (ORDERGRAINS_HISTORY_SEED={seed} reproduces the run)");
        var failures = new List<string>();
        var concurrentBatches = 0;
        var reorderedBatches = 0;
        using var gate = new SemaphoreSlim(Parallel);
        await Task.WhenAll(Enumerable.Range(0, Histories).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var (failure, concurrent, reordered) = await RunHistory(new Random(HashCode.Combine(seed, i)), i);
                Interlocked.Add(ref concurrentBatches, concurrent);
                Interlocked.Add(ref reorderedBatches, reordered);
                if (failure is not null) lock (failures) failures.Add(failure);
            }
            finally
            {
                gate.Release();
            }
        }));
        output.WriteLine($"{Histories} histories, {concurrentBatches} concurrent batches, {reorderedBatches} explained only by an order other than the sending order");
        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} histories not explained; first:\n{failures.FirstOrDefault()}");
        Assert.True(concurrentBatches > Histories, "too few concurrent batches to mean anything");
    }

    /// <summary>One marketplace/seller pair in the model: the same deciders and protocol the grains run.</summary>
    private sealed class Model
    {
        public MarketplaceOrderState Marketplace { get; init; } = new();
        public SellerOrderState Seller { get; init; } = new();
        public int Invoices { get; set; }
        public long Invoiced { get; set; }

        public Model Clone() => new()
        {
            Marketplace = JsonSerializer.Deserialize<MarketplaceOrderState>(JsonSerializer.Serialize(Marketplace, DomainJson.Options), DomainJson.Options)!,
            Seller = JsonSerializer.Deserialize<SellerOrderState>(JsonSerializer.Serialize(Seller, DomainJson.Options), DomainJson.Options)!,
            Invoices = Invoices,
            Invoiced = Invoiced,
        };

        public SellerReply AtSeller(SellerCommand command)
        {
            var reply = OrderPairProtocol.AtSeller(Seller, command, DateTimeOffset.UtcNow, Timings);
            if (reply.Outcome == CommandOutcome.Accepted && reply.Seller is { } view)
            {
                MarketplaceOrderDecider.Handle(Marketplace, new MirrorSeller(view, "model"), DateTimeOffset.UtcNow);
            }
            return reply;
        }

        public MarketplaceReply AtMarketplace(MarketplaceCommand command)
        {
            // The seller decides in its turn; the protocol itself takes the seller's reply into the marketplace order.
            var d = OrderPairProtocol.RunNow(Marketplace, command, c => OrderPairProtocol.AtSeller(Seller, c, DateTimeOffset.UtcNow, Timings), DateTimeOffset.UtcNow);
            return new MarketplaceReply(d.Outcome, d.Code, d.Message, d.CancellationRequestId, null);
        }
    }

    /// <summary>A command as both the grains and the model take it; <see cref="Observed"/> is what the grains answered.</summary>
    private sealed record Step(string Name, Func<Orders.Pair, Task<Answer>> Real, Func<Model, Answer> Modelled)
    {
        public Answer? Observed { get; set; }
    }

    private sealed record Answer(CommandOutcome Outcome, string? Code, string? RequestId)
    {
        public static Answer Of(SellerReply r) => new(r.Outcome, r.Code, r.CancellationRequestId);
        public static Answer Of(MarketplaceReply r) => new(r.Outcome, r.Code, r.CancellationRequestId);
        public override string ToString() => $"{Outcome}{(Code is null ? "" : " " + Code)}{(RequestId is null ? "" : " " + RequestId)}";
    }

    private async Task<(string? Failure, int Concurrent, int Reordered)> RunHistory(Random random, int index)
    {
        var log = new StringBuilder();
        var pair = await cluster.Orders.Place();
        var model = new Model();
        var items = new List<OrderItem> { new("sku1", 2, Orders.Total / 2) };
        var now = DateTimeOffset.UtcNow;
        var mv = (await pair.Marketplace.GetView())!;
        MarketplaceOrderDecider.Handle(model.Marketplace, new PlaceMarketplaceOrder(pair.OrderId, mv.OrderGroup, pair.SellerOrderId, "seller1", items), now);
        model.AtSeller(new PlaceSellerOrder(pair.SellerOrderId, pair.OrderId, "seller1", items));
        log.AppendLine($"history {index}: {pair.OrderId} / {pair.SellerOrderId}");

        var concurrent = 0;
        var reordered = 0;
        var batches = random.Next(3, 9);
        for (var b = 0; b < batches; b++)
        {
            var size = random.Next(10) switch { < 5 => 1, < 8 => 2, _ => 3 };
            var batch = Enumerable.Range(0, size).Select(_ => Pick(random, model)).ToList();
            if (b == 0 && random.Next(10) < 7)
            {
                // Most histories get paid first, some racing the seller's own cancel (the payment/cancel race).
                batch = [Pick(random, model, forced: 0)];
                if (random.Next(3) == 0) batch.Add(Pick(random, model, forced: 5));
                size = batch.Count;
            }
            if (size > 1) concurrent++;
            var answers = await Task.WhenAll(batch.Select(step => Task.Run(() => step.Real(pair))));
            for (var k = 0; k < batch.Count; k++) batch[k].Observed = answers[k];
            log.AppendLine($"  batch {b}: " + string.Join(" | ", batch.Select(s => $"{s.Name} → {s.Observed}")));

            // The seller's window is zero: its timer expires it at some moment after an authorization; the model lets it happen anywhere.
            var explained = Explain(model, batch);
            if (explained is null)
            {
                log.AppendLine($"    model state before: marketplace {model.Marketplace.Status.Vtex()}, seller {model.Seller.Status.Vtex()}, open request {model.Seller.OpenRequest?.Id}");
                var sent = model.Clone();
                log.AppendLine("    the model, in the sending order: " + string.Join(" | ", batch.Select(step => $"{step.Name} → {step.Modelled(sent)}")));
                return (log + "  NO serial order of this batch explains the answers", concurrent, reordered);
            }
            if (explained.Value.Reordered) reordered++;
            model = explained.Value.Model;
            if (model.Seller.Status == SellerOrderStatus.WindowToCancel)
            {
                await WaitWhileWindowOpen(pair);
                model.AtSeller(new ExpireCancellationWindow());
            }
        }

        MarketplaceOrderView marketplace;
        SellerOrderView seller;
        try
        {
            (marketplace, seller) = await Orders.WaitForAgreement(pair);
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            var m = (await pair.Marketplace.GetHistory()).Select(h => $"    marketplace: {h.Command} {h.Outcome} {h.FromStatus}→{h.ToStatus} {h.Code} {h.Reason}");
            var s = (await pair.Seller.GetHistory()).Select(h => $"    seller: {h.Command} {h.Outcome} {h.FromStatus}→{h.ToStatus} {h.Code} {h.Reason}");
            return (log + $"  the pair does not agree at rest: {ex.Message}\n{string.Join('\n', m)}\n{string.Join('\n', s)}", concurrent, reordered);
        }
        if (seller.Status != model.Seller.Status || marketplace.Status != model.Marketplace.Status)
        {
            return (log + $"  at rest: grains {marketplace.Status.Vtex()}/{seller.Status.Vtex()}, model {model.Marketplace.Status.Vtex()}/{model.Seller.Status.Vtex()}", concurrent, reordered);
        }
        var history = await pair.Seller.GetHistory();
        var firstFinal = history.ToList().FindIndex(h => h.Outcome == CommandOutcome.Accepted && h.ToStatus is "invoiced" or "canceled");
        if (firstFinal >= 0 && history.Skip(firstFinal + 1).Any(h => h.Outcome == CommandOutcome.Accepted && h.FromStatus != h.ToStatus))
        {
            return (log + "  a final seller status changed afterwards", concurrent, reordered);
        }
        return (null, concurrent, reordered);
    }

    /// <summary>A serial order of the batch (with the window's expiry anywhere in it, when it may fire) whose model answers are the observed ones.</summary>
    private static (Model Model, bool Reordered)? Explain(Model before, List<Step> batch)
    {
        foreach (var order in Permutations(Enumerable.Range(0, batch.Count).ToList()))
        {
            for (var expiryAt = -1; expiryAt <= order.Count; expiryAt++)
            {
                var model = before.Clone();
                var ok = true;
                for (var position = 0; position < order.Count && ok; position++)
                {
                    if (position == expiryAt && !Expire(model)) { ok = false; break; }
                    var step = batch[order[position]];
                    ok = step.Modelled(model) == step.Observed;
                }
                if (ok && expiryAt == order.Count && !Expire(model)) ok = false;
                if (ok) return (model, !order.SequenceEqual(Enumerable.Range(0, batch.Count)));
            }
        }
        return null;
    }

    /// <summary>The window's expiry in the model: possible only while the window is open.</summary>
    private static bool Expire(Model model) =>
        model.Seller.Status == SellerOrderStatus.WindowToCancel && model.AtSeller(new ExpireCancellationWindow()).Outcome == CommandOutcome.Accepted;

    private static IEnumerable<List<int>> Permutations(List<int> items) => items.Count <= 1
        ? [items]
        : items.SelectMany(x => Permutations([.. items.Where(y => y != x)]).Select(rest => (List<int>)[x, .. rest]));

    private static async Task WaitWhileWindowOpen(Orders.Pair pair)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((await pair.Seller.GetView())!.Status == SellerOrderStatus.WindowToCancel)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{pair.SellerOrderId} stayed in window-to-cancel");
            await Task.Delay(5);
        }
    }

    /// <summary>A command from any actor, with arguments that make sense (or deliberately not) in the model's current state.</summary>
    private static Step Pick(Random random, Model model, int? forced = null)
    {
        var open = model.Seller.OpenRequest?.Id;
        var lastRequest = model.Seller.CancellationRequests.LastOrDefault()?.Id;
        var requestId = random.Next(5) switch { 0 => "no-such-request", 1 when lastRequest is not null => lastRequest, _ => open ?? lastRequest ?? "no-such-request" };
        var remaining = Orders.Total - model.Invoiced;
        switch (forced ?? random.Next(14))
        {
            case 0: return new("payment-approved", async p => Answer.Of(await p.Marketplace.ApprovePayment()), m => Answer.Of(m.AtMarketplace(new ApprovePayment())));
            case 1: return new("payment-denied", async p => Answer.Of(await p.Marketplace.DenyPayment()),
                m => Answer.Of(m.AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.PaymentDenied, Actor.Marketplace, OrderPairProtocol.PaymentDeniedReason))));
            case 2: return new("marketplace cancel", async p => Answer.Of(await p.Marketplace.Cancel(Actor.Marketplace, "random", null)),
                m => Answer.Of(m.AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.CancelByMarketplace, Actor.Marketplace, "random"))));
            case 3: return new("customer cancel", async p => Answer.Of(await p.Marketplace.Cancel(Actor.Customer, "random", "customer")),
                m => Answer.Of(m.AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.CancelByCustomer, Actor.Customer, "random", RequestedByUser: "customer"))));
            case 4: return new($"marketplace withdraw {requestId}", async p => Answer.Of(await p.Marketplace.WithdrawCancellationRequest(Actor.Marketplace, requestId)),
                m => Answer.Of(m.AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.WithdrawCancellationRequest, Actor.Marketplace, null, RequestId: requestId))));
            case 5: return new("seller cancel", async p => Answer.Of(await p.Seller.Cancel(Actor.Seller, "random", null)),
                m => Answer.Of(m.AtSeller(new CancelSellerOrder(Actor.Seller, "random"))));
            case 6: return new($"seller accept {requestId}", async p => Answer.Of(await p.Seller.AcceptCancellationRequest(requestId)),
                m => Answer.Of(m.AtSeller(new AcceptCancellationRequest(requestId))));
            case 7: return new($"seller deny {requestId}", async p => Answer.Of(await p.Seller.DenyCancellationRequest(requestId, "random")),
                m => Answer.Of(m.AtSeller(new DenyCancellationRequest(requestId, "random"))));
            case 8: return new($"seller withdraw {requestId}", async p => Answer.Of(await p.Seller.WithdrawCancellationRequest(Actor.Seller, requestId)),
                m => Answer.Of(m.AtSeller(new WithdrawCancellationRequest(Actor.Seller, requestId))));
            case 9:
            case 10: return new("start-handling", async p => Answer.Of(await p.Seller.StartHandling()), m => Answer.Of(m.AtSeller(new StartHandling())));
            case 11:
            {
                // A partial invoice with a fresh number (the model counts what was accepted).
                var invoice = new Invoice($"INV-P{model.Invoices + 1}-{random.Next(1000)}", 100, DateTimeOffset.UtcNow, [new InvoiceItem("sku1", 1, 100)]);
                return new($"partial invoice {invoice.InvoiceNumber}", async p => Answer.Of(await p.Seller.Invoice(invoice)), m => Invoiced(m, invoice));
            }
            case 12:
            {
                var invoice = new Invoice($"INV-F-{random.Next(1000)}", Math.Max(remaining, 1), DateTimeOffset.UtcNow, []);
                return new($"full invoice {invoice.InvoiceNumber}", async p => Answer.Of(await p.Seller.Invoice(invoice)), m => Invoiced(m, invoice));
            }
            default:
                return new("tracking INV-x", async p => Answer.Of(await p.Seller.UpdateTracking("INV-x", new TrackingUpdate(false, null, []))),
                    m => Answer.Of(m.AtSeller(new UpdateTracking("INV-x", new TrackingUpdate(false, null, [])))));
        }
    }

    private static Answer Invoiced(Model model, Invoice invoice)
    {
        var answer = Answer.Of(model.AtSeller(new AddInvoice(invoice)));
        if (answer.Outcome == CommandOutcome.Accepted)
        {
            model.Invoices++;
            model.Invoiced += invoice.Value;
        }
        return answer;
    }
}
