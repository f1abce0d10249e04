using System.Text;
using System.Text.Json;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Testing.Histories;

/// <summary>A command from one of the actors: the marketplace, the customer (through the marketplace) or the seller.</summary>
public enum Act
{
    PaymentApproved, PaymentDenied, MarketplaceCancel, CustomerCancel, MarketplaceWithdraw,
    SellerCancel, SellerAccept, SellerDeny, SellerWithdraw, StartHandling, PartialInvoice, FullInvoice, Tracking,
}

/// <summary>
/// One command of a history, with its arguments fixed (so that a history can be run again, and shrunk). A request is
/// named relative to its order ("cr2": the order's second request) until <see cref="For"/> names it on one order.
/// </summary>
public sealed record Cmd(Act Act, string? RequestId = null, string? InvoiceNumber = null, long Value = 0)
{
    public Cmd For(string sellerOrderId) => RequestId is { } id && id.StartsWith("cr", StringComparison.Ordinal) ? this with { RequestId = $"{sellerOrderId}-{id}" } : this;

    public override string ToString() => Act switch
    {
        Act.MarketplaceWithdraw or Act.SellerAccept or Act.SellerDeny or Act.SellerWithdraw => $"{Act} {RequestId}",
        Act.PartialInvoice or Act.FullInvoice => $"{Act} {InvoiceNumber} ({Value})",
        _ => Act.ToString(),
    };
}

/// <summary>What a command was answered: outcome, rejection code and the cancellation request it names.</summary>
public sealed record Answer(CommandOutcome Outcome, string? Code, string? RequestId)
{
    public static Answer Of(SellerReply r) => new(r.Outcome, r.Code, r.CancellationRequestId);
    public static Answer Of(MarketplaceReply r) => new(r.Outcome, r.Code, r.CancellationRequestId);
    public override string ToString() => $"{Outcome}{(Code is null ? "" : " " + Code)}{(RequestId is null ? "" : " " + RequestId)}";
}

/// <summary>One placed marketplace/seller pair of the system under test.</summary>
public interface IPairUnderTest
{
    string OrderId { get; }
    string OrderGroup { get; }
    string SellerOrderId { get; }
    Task<Answer> Run(Cmd command);
    Task<SellerOrderView> Seller();
    Task<MarketplaceOrderView> Marketplace();
    Task<IReadOnlyList<HistoryEntry>> SellerHistory();
    Task<IReadOnlyList<HistoryEntry>> MarketplaceHistory();
    /// <summary>The answer as this system can show it (over HTTP, a rejection names no request and a 204 tells no replay).</summary>
    Answer Comparable(Cmd command, Answer modelled) => modelled;
}

/// <summary>The system under test: the in-process cluster, the HTTP gateway, or a deliberately broken simulation.</summary>
public interface ISystemUnderTest
{
    string Name { get; }
    WorkflowTimings Timings { get; }
    /// <summary>How long the mirror may take to agree at rest.</summary>
    TimeSpan AgreementTimeout { get; }
    /// <summary>How long after its time a deadline may take to fire before it counts as overdue.</summary>
    TimeSpan DeadlineGrace { get; }
    Task<IPairUnderTest> Place();
}

/// <summary>One marketplace/seller pair in the model: the same deciders and two-order protocol the grains run.</summary>
public sealed class PairModel
{
    public MarketplaceOrderState Marketplace { get; private init; } = new();
    public SellerOrderState Seller { get; private init; } = new();
    public long Invoiced { get; private set; }
    public int Invoices { get; private set; }
    private WorkflowTimings timings = WorkflowTimings.Vtex;
    private Func<SellerOrderView, bool> mirrors = _ => true;

    /// <param name="mirrors">Which seller changes reach the marketplace's mirror (all of them; a broken simulation drops some).</param>
    public static PairModel Placed(IPairUnderTest pair, WorkflowTimings timings, long total, Func<SellerOrderView, bool>? mirrors = null)
    {
        var model = new PairModel { timings = timings, mirrors = mirrors ?? (_ => true) };
        var items = new List<OrderItem> { new("sku1", 2, total / 2) };
        MarketplaceOrderDecider.Handle(model.Marketplace, new PlaceMarketplaceOrder(pair.OrderId, pair.OrderGroup, pair.SellerOrderId, "seller1", items), DateTimeOffset.UtcNow);
        model.AtSeller(new PlaceSellerOrder(pair.SellerOrderId, pair.OrderId, "seller1", items));
        return model;
    }

    public PairModel Clone() => new()
    {
        Marketplace = JsonSerializer.Deserialize<MarketplaceOrderState>(JsonSerializer.Serialize(Marketplace, DomainJson.Options), DomainJson.Options)!,
        Seller = JsonSerializer.Deserialize<SellerOrderState>(JsonSerializer.Serialize(Seller, DomainJson.Options), DomainJson.Options)!,
        Invoiced = Invoiced,
        Invoices = Invoices,
        timings = timings,
        mirrors = mirrors,
    };

    /// <summary>A seller command in the seller's turn; an accepted change reaches the marketplace's mirror.</summary>
    public SellerReply AtSeller(SellerCommand command, DateTimeOffset? at = null)
    {
        var reply = OrderPairProtocol.AtSeller(Seller, command, at ?? DateTimeOffset.UtcNow, timings);
        if (reply.Outcome == CommandOutcome.Accepted && reply.Seller is { } view && mirrors(view))
        {
            MarketplaceOrderDecider.Handle(Marketplace, new MirrorSeller(view, "model"), DateTimeOffset.UtcNow);
        }
        return reply;
    }

    public MarketplaceReply AtMarketplace(MarketplaceCommand command)
    {
        var d = OrderPairProtocol.RunNow(Marketplace, command, c => OrderPairProtocol.AtSeller(Seller, c, DateTimeOffset.UtcNow, timings), DateTimeOffset.UtcNow);
        return new MarketplaceReply(d.Outcome, d.Code, d.Message, d.CancellationRequestId, null);
    }

    public Answer Run(Cmd c)
    {
        switch (c.Act)
        {
            case Act.PaymentApproved: return Answer.Of(AtMarketplace(new ApprovePayment()));
            case Act.PaymentDenied: return Answer.Of(AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.PaymentDenied, Actor.Marketplace, OrderPairProtocol.PaymentDeniedReason)));
            case Act.MarketplaceCancel: return Answer.Of(AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.CancelByMarketplace, Actor.Marketplace, "random")));
            case Act.CustomerCancel: return Answer.Of(AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.CancelByCustomer, Actor.Customer, "random", RequestedByUser: "customer")));
            case Act.MarketplaceWithdraw: return Answer.Of(AtMarketplace(new ForwardedCommand(MarketplaceCommandKind.WithdrawCancellationRequest, Actor.Marketplace, null, RequestId: c.RequestId)));
            case Act.SellerCancel: return Answer.Of(AtSeller(new CancelSellerOrder(Actor.Seller, "random")));
            case Act.SellerAccept: return Answer.Of(AtSeller(new AcceptCancellationRequest(c.RequestId!)));
            case Act.SellerDeny: return Answer.Of(AtSeller(new DenyCancellationRequest(c.RequestId!, "random")));
            case Act.SellerWithdraw: return Answer.Of(AtSeller(new WithdrawCancellationRequest(Actor.Seller, c.RequestId!)));
            case Act.StartHandling: return Answer.Of(AtSeller(new StartHandling()));
            case Act.Tracking: return Answer.Of(AtSeller(new UpdateTracking("INV-x", new TrackingUpdate(false, null, []))));
            default:
                var answer = Answer.Of(AtSeller(new AddInvoice(HistoryCommands.InvoiceOf(c))));
                if (answer.Outcome == CommandOutcome.Accepted)
                {
                    Invoices++;
                    Invoiced += c.Value;
                }
                return answer;
        }
    }

    /// <summary>Whether a deadline (the window, the authorization deadline, an open request's deadline) is pending.</summary>
    public bool DeadlinePending => Seller.NextDeadline is not null;

    /// <summary>
    /// Whether the pending deadline may have fired by now. The model's deadlines are set a little after the system's
    /// (it runs after each batch), so a second of slack; VTEX's 30 days never may.
    /// </summary>
    public bool DeadlineMayHaveFired => Seller.NextDeadline is { } due && due <= DateTimeOffset.UtcNow.AddSeconds(1);

    /// <summary>The pending deadline fires: its default outcome, as the seller order's timer or the sweep applies it.</summary>
    public bool FireDeadline()
    {
        if (Seller.NextDeadline is not { } due) return false;
        SellerCommand command = Seller.Status == SellerOrderStatus.WindowToCancel ? new ExpireCancellationWindow() : new ReachDeadline();
        // At its time: the model's clock runs a little behind the system's deadlines.
        var now = DateTimeOffset.UtcNow;
        return AtSeller(command, due > now ? due : now).Outcome == CommandOutcome.Accepted;
    }
}

public static class HistoryCommands
{
    public const long Total = 1000;

    public static Invoice InvoiceOf(Cmd c) => c.Act == Act.PartialInvoice
        ? new Invoice(c.InvoiceNumber!, c.Value, DateTimeOffset.UtcNow, [new InvoiceItem("sku1", 1, c.Value)])
        : new Invoice(c.InvoiceNumber!, c.Value, DateTimeOffset.UtcNow, []);

    /// <summary>A command from any actor, with arguments that make sense (or deliberately not) in the model's current state.</summary>
    public static Cmd Pick(Random random, PairModel model, Act? forced = null)
    {
        string? Relative(string? id) => id?[(model.Seller.SellerOrderId.Length + 1)..];
        var open = Relative(model.Seller.OpenRequest?.Id);
        var lastRequest = Relative(model.Seller.CancellationRequests.LastOrDefault()?.Id);
        var requestId = random.Next(5) switch { 0 => "no-such-request", 1 when lastRequest is not null => lastRequest, _ => open ?? lastRequest ?? "no-such-request" };
        var act = forced ?? (random.Next(15) switch
        {
            0 => Act.PaymentApproved, 1 => Act.PaymentDenied, 2 => Act.MarketplaceCancel, 3 => Act.CustomerCancel, 4 => Act.MarketplaceWithdraw,
            5 => Act.SellerCancel, 6 => Act.SellerAccept, 7 => Act.SellerDeny, 8 => Act.SellerWithdraw, 9 or 10 => Act.StartHandling,
            11 => Act.PartialInvoice, 12 => Act.FullInvoice, 13 => Act.Tracking, _ => Act.SellerAccept,
        });
        return act switch
        {
            Act.MarketplaceWithdraw or Act.SellerAccept or Act.SellerDeny or Act.SellerWithdraw => new Cmd(act, RequestId: requestId),
            Act.PartialInvoice => new Cmd(act, InvoiceNumber: $"INV-P{model.Invoices + 1}-{random.Next(1000)}", Value: 100),
            Act.FullInvoice => new Cmd(act, InvoiceNumber: $"INV-F-{random.Next(1000)}", Value: Math.Max(Total - model.Invoiced, 1)),
            _ => new Cmd(act),
        };
    }
}

/// <summary>The options of one checker run.</summary>
public sealed record CheckerOptions(int Histories, int Parallel, int Seed)
{
    /// <summary>ORDERGRAINS_HISTORY_SEED when set (it replays a run), otherwise a new seed.</summary>
    public static int SeedFromEnvironment => Environment.GetEnvironmentVariable("ORDERGRAINS_HISTORY_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();

    /// <summary>The number of histories the variable <paramref name="name"/> asks for, otherwise <paramref name="byDefault"/>.</summary>
    public static int CountFromEnvironment(string name, int byDefault) => Environment.GetEnvironmentVariable(name) is { } n ? int.Parse(n) : byDefault;

    /// <summary>When set, some batches wait up to this long first, so that short deadlines race the commands.</summary>
    public TimeSpan? RaceDeadlinesWithin { get; init; }
    /// <summary>Whether a failing history is shrunk to a minimal one before it is reported.</summary>
    public bool Shrink { get; init; } = true;
}

/// <summary>What a checker run saw.</summary>
public sealed record CheckerReport(int Planned, int Commands, int ConcurrentBatches, int Reordered, int DeadlinesFired, IReadOnlyList<string> Failures)
{
    public int Histories { get; init; }

    public override string ToString() =>
        $"{Histories} of {Planned} histories run, {Commands} commands, {ConcurrentBatches} concurrent batches, {Reordered} explained only by an order other than the sending order, " +
        $"{DeadlinesFired} deadlines fired, {Failures.Count} failures";
}

/// <summary>
/// The history checker. Random histories of marketplace, customer and seller commands — one at a time and two or three
/// released together — run against a system; deadlines are an actor too (they may fire anywhere their order has one).
/// Each batch's answers, and the seller's status read after it, must be explained by some serial order of the batch
/// in the model (the transition tables and the two-order protocol, <see cref="PairModel"/>). At rest: no deadline is
/// overdue, the pair agrees (the marketplace applied the seller's last change and shows the status it implies), both
/// orders are where the model says, no final status ever changed, and both histories are paths of their tables.
/// A failure names the seed and prints a minimal history (the failing one, shrunk while it still fails).
/// </summary>
public static class HistoryChecker
{
    private const int MaxDeadlineFiresPerBatch = 2;

    public static async Task<CheckerReport> Run(ISystemUnderTest system, CheckerOptions options)
    {
        var failures = new List<string>();
        int ran = 0, commands = 0, concurrent = 0, reordered = 0, fired = 0;
        using var gate = new SemaphoreSlim(options.Parallel);
        await Task.WhenAll(Enumerable.Range(0, options.Histories).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                // After a failure no new history starts: the first one is shrunk and reported.
                lock (failures) if (failures.Count > 0) return;
                var random = new Random(HashCode.Combine(options.Seed, i));
                var run = await RunOne(system, random, script: null, options);
                Interlocked.Increment(ref ran);
                Interlocked.Add(ref commands, run.Commands);
                Interlocked.Add(ref concurrent, run.Concurrent);
                Interlocked.Add(ref reordered, run.Reordered);
                Interlocked.Add(ref fired, run.Fired);
                if (run.Failure is null) return;
                var report = $"history {i} (seed {options.Seed}) on {system.Name}:\n{run.Failure}";
                bool first;
                lock (failures) first = failures.Count == 0;
                if (options.Shrink && first)
                {
                    var minimal = await Shrink(system, run.Script, options);
                    report += $"\nminimal history ({minimal.Script.Count} batches):\n{minimal.Failure}";
                }
                lock (failures) failures.Add(report);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new CheckerReport(options.Histories, commands, concurrent, reordered, fired, failures) { Histories = ran };
    }

    /// <summary>A batch of commands released together; <see cref="Serial"/> is the serial order that explained it.</summary>
    private sealed record Batch(IReadOnlyList<Cmd> Commands, TimeSpan Wait, IReadOnlyList<int>? Serial = null);

    private sealed record HistoryRun(string? Failure, List<Batch> Script, int Commands, int Concurrent, int Reordered, int Fired);

    /// <summary>Runs one history: generated from <paramref name="random"/>, or the given <paramref name="script"/> again.</summary>
    /// <param name="serially">Run each scripted batch one command at a time, in the order that explained it (a replay that does not depend on luck).</param>
    private static async Task<HistoryRun> RunOne(ISystemUnderTest system, Random random, List<Batch>? script, CheckerOptions options, bool serially = false)
    {
        var log = new StringBuilder();
        var pair = await system.Place();
        var model = PairModel.Placed(pair, system.Timings, HistoryCommands.Total);
        log.AppendLine($"  pair {pair.OrderId} / {pair.SellerOrderId}");
        var played = new List<Batch>();
        int commands = 0, concurrent = 0, reordered = 0, fired = 0;
        var batches = script?.Count ?? random.Next(3, 9);
        for (var b = 0; b < batches; b++)
        {
            var batch = script?[b] ?? Generate(random, model, b, options);
            played.Add(batch);
            commands += batch.Commands.Count;
            if (batch.Commands.Count > 1) concurrent++;
            if (batch.Wait > TimeSpan.Zero)
            {
                await Task.Delay(batch.Wait);
                log.AppendLine($"  wait {batch.Wait.TotalMilliseconds:0} ms");
            }
            var resolved = batch.Commands.Select(c => c.For(pair.SellerOrderId)).ToList();
            Answer[] answers;
            if (serially)
            {
                answers = new Answer[resolved.Count];
                foreach (var k in batch.Serial ?? [.. Enumerable.Range(0, resolved.Count)]) answers[k] = await pair.Run(resolved[k]);
            }
            else
            {
                answers = await Task.WhenAll(resolved.Select(c => Task.Run(() => pair.Run(c))));
            }
            var seller = await Settled(pair, system);
            log.AppendLine($"  batch {b}: " + string.Join(" | ", batch.Commands.Select((c, k) => $"{c} → {answers[k]}")) + $"  ⇒ seller {seller.Status.Vtex()}");

            var explained = Explain(pair, model, resolved, answers, seller.Status);
            if (explained is null)
            {
                log.AppendLine($"    model before: marketplace {model.Marketplace.Status.Vtex()}, seller {model.Seller.Status.Vtex()}, open request {model.Seller.OpenRequest?.Id}");
                var sent = model.Clone();
                log.AppendLine("    the model, in the sending order: " + string.Join(" | ", resolved.Select((c, k) => $"{batch.Commands[k]} → {pair.Comparable(c, sent.Run(c))}")) + $"  ⇒ seller {sent.Seller.Status.Vtex()}");
                return new(log + "  NO serial order of this batch (with the deadlines that may fire) explains the answers and the seller's status", played, commands, concurrent, reordered, fired);
            }
            if (!explained.Value.Serial.SequenceEqual(Enumerable.Range(0, batch.Commands.Count))) reordered++;
            fired += explained.Value.Fired;
            model = explained.Value.Model;
            played[^1] = batch with { Serial = explained.Value.Serial };
        }

        var rest = await AtRest(system, pair, model, log);
        fired += rest.Fired;
        return new(rest.Failure is null ? null : log + rest.Failure, played, commands, concurrent, reordered, fired);
    }

    private static Batch Generate(Random random, PairModel model, int index, CheckerOptions options)
    {
        var wait = options.RaceDeadlinesWithin is { } within && model.DeadlinePending && random.Next(5) == 0
            ? TimeSpan.FromMilliseconds(random.Next((int)within.TotalMilliseconds))
            : TimeSpan.Zero;
        if (index == 0 && random.Next(10) < 7)
        {
            // Most histories get paid first, some racing the seller's own cancel (the payment/cancel race).
            List<Cmd> first = [HistoryCommands.Pick(random, model, Act.PaymentApproved)];
            if (random.Next(3) == 0) first.Add(HistoryCommands.Pick(random, model, Act.SellerCancel));
            return new Batch(first, wait);
        }
        var size = random.Next(10) switch { < 5 => 1, < 8 => 2, _ => 3 };
        return new Batch([.. Enumerable.Range(0, size).Select(_ => HistoryCommands.Pick(random, model))], wait);
    }

    /// <summary>The seller after a batch. A zero window expires at once: wait for its timer rather than race it.</summary>
    private static async Task<SellerOrderView> Settled(IPairUnderTest pair, ISystemUnderTest system)
    {
        var seller = await pair.Seller();
        if (system.Timings.CancellationWindow > TimeSpan.Zero) return seller;
        var until = DateTime.UtcNow + system.DeadlineGrace;
        while (seller.Status == SellerOrderStatus.WindowToCancel && DateTime.UtcNow < until)
        {
            await Task.Delay(5);
            seller = await pair.Seller();
        }
        return seller;
    }

    /// <summary>
    /// A serial order of the batch, with up to two deadlines firing anywhere in it (where the model has one pending),
    /// whose model answers are the observed ones and which leaves the seller in the observed status.
    /// </summary>
    private static (PairModel Model, int Fired, List<int> Serial)? Explain(
        IPairUnderTest pair, PairModel before, IReadOnlyList<Cmd> batch, Answer[] observed, SellerOrderStatus observedSeller)
    {
        (PairModel, int, List<int>)? Search(PairModel model, List<int> done, int firesLeft)
        {
            if (done.Count == batch.Count && model.Seller.Status == observedSeller)
            {
                return (model, MaxDeadlineFiresPerBatch - firesLeft, done);
            }
            for (var k = 0; k < batch.Count; k++)
            {
                if (done.Contains(k)) continue;
                var next = model.Clone();
                if (pair.Comparable(batch[k], next.Run(batch[k])) != observed[k]) continue;
                if (Search(next, [.. done, k], firesLeft) is { } found) return found;
            }
            if (firesLeft > 0 && model.DeadlineMayHaveFired)
            {
                var next = model.Clone();
                if (next.FireDeadline() && Search(next, done, firesLeft - 1) is { } found) return found;
            }
            return null;
        }
        return Search(before, [], MaxDeadlineFiresPerBatch);
    }

    private sealed record Rest(string? Failure, int Fired);

    private static async Task<Rest> AtRest(ISystemUnderTest system, IPairUnderTest pair, PairModel model, StringBuilder log)
    {
        // 1. Nothing overdue: every deadline that falls due fires (a far one, such as VTEX's 30 days, may stay pending).
        var seller = await pair.Seller();
        while (seller.NextDeadline is { } due && due < DateTimeOffset.UtcNow.AddMinutes(1))
        {
            if (DateTimeOffset.UtcNow > due + system.DeadlineGrace)
            {
                return new($"  overdue at rest: the seller order's deadline {due:HH:mm:ss.fff} ({seller.Status.Vtex()}) has not fired", 0);
            }
            await Task.Delay(20);
            seller = await pair.Seller();
        }
        var fired = 0;
        if (seller.NextDeadline is null)
        {
            while (model.DeadlinePending && fired < 3 && model.FireDeadline()) fired++;
        }

        // 2. The pair agrees: the marketplace applied the seller's last change and shows the status it implies.
        var until = DateTime.UtcNow + system.AgreementTimeout;
        var marketplace = await pair.Marketplace();
        while (marketplace.Seller?.Sequence != seller.Sequence)
        {
            if (DateTime.UtcNow > until)
            {
                return new($"  the pair does not agree at rest: the marketplace applied seller sequence {marketplace.Seller?.Sequence} " +
                           $"({marketplace.Status.Vtex()}), the seller is at {seller.Sequence} ({seller.Status.Vtex()})\n{await Histories(pair)}", fired);
            }
            await Task.Delay(20);
            (seller, marketplace) = (await pair.Seller(), await pair.Marketplace());
        }
        if (MarketplaceOrderDecider.Expected(marketplace.Payment, seller) != marketplace.Status)
        {
            return new($"  at rest the marketplace is {marketplace.Status.Vtex()}, its seller order and payment imply {MarketplaceOrderDecider.Expected(marketplace.Payment, seller).Vtex()}", fired);
        }

        // 3. Where the model says.
        if (seller.Status != model.Seller.Status || marketplace.Status != model.Marketplace.Status)
        {
            return new($"  at rest: system {marketplace.Status.Vtex()}/{seller.Status.Vtex()}, model {model.Marketplace.Status.Vtex()}/{model.Seller.Status.Vtex()}\n{await Histories(pair)}", fired);
        }

        // 4. Final statuses never change; 5. both histories are paths of their tables.
        var sellerHistory = await pair.SellerHistory();
        var marketplaceHistory = await pair.MarketplaceHistory();
        var problem = PathProblem(sellerHistory, s => Parse<SellerOrderStatus>(s, x => x.Vtex()), s => s.IsFinal(), chained: true,
                          (from, command, to) => Kebab<SellerCommandKind>(command) is { } k && SellerTransitions.Find(from, k) is { } row && row.To.Contains(to))
                      // The marketplace's history holds its own commands only (a mirrored seller change is no line of it), so its
                      // lines do not chain; each may lead where its row or mirroring the seller's answer may lead.
                      ?? PathProblem(marketplaceHistory, s => Parse<MarketplaceOrderStatus>(s, x => x.Vtex()), s => s.IsFinal(), chained: false,
                          (from, command, to) => Kebab<MarketplaceCommandKind>(command) is { } k
                              && (MarketplaceTransitions.Find(from, k)?.To.Contains(to) == true
                                  || MarketplaceTransitions.Find(from, MarketplaceCommandKind.SellerChanged)?.To.Contains(to) == true));
        return new(problem is null ? null : $"  {problem}\n{await Histories(pair)}", fired);
    }

    /// <summary>Accepted entries chain from one to the next along rows of the table, and nothing moves after a final status.</summary>
    private static string? PathProblem<TStatus>(IReadOnlyList<HistoryEntry> history, Func<string, TStatus?> parse, Func<TStatus, bool> isFinal,
        bool chained, Func<TStatus, string, TStatus, bool> inTable) where TStatus : struct, Enum
    {
        TStatus? at = null;
        foreach (var entry in history.Where(h => h.Outcome == CommandOutcome.Accepted))
        {
            if (entry.Command == "place") { at = parse(entry.ToStatus); continue; }
            if (parse(entry.FromStatus) is not { } from || parse(entry.ToStatus) is not { } to) return $"unknown status in history: {entry}";
            if (!chained) at = from;
            if (at is { } current && !current.Equals(from)) return $"history jumps from {current} to an entry starting at {from}: {entry.Command}";
            if (at is { } was && isFinal(was) && !was.Equals(to)) return $"a final status changed: {entry.Command} {entry.FromStatus}→{entry.ToStatus}";
            if (!from.Equals(to) && !inTable(from, entry.Command, to)) return $"not a path of the table: {entry.Command} {entry.FromStatus}→{entry.ToStatus}";
            at = to;
        }
        return null;
    }

    private static TStatus? Parse<TStatus>(string vtex, Func<TStatus, string> name) where TStatus : struct, Enum =>
        Enum.GetValues<TStatus>().Where(s => name(s) == vtex).Select(s => (TStatus?)s).FirstOrDefault();

    private static TKind? Kebab<TKind>(string command) where TKind : struct, Enum =>
        Enum.GetValues<TKind>().Where(k => KebabOf(k.ToString()) == command).Select(k => (TKind?)k).FirstOrDefault();

    private static string KebabOf(string name) => string.Concat(name.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    private static async Task<string> Histories(IPairUnderTest pair)
    {
        var m = (await pair.MarketplaceHistory()).Select(h => $"    marketplace: {h.Command} {h.Outcome} {h.FromStatus}→{h.ToStatus} {h.Code} {h.Reason}");
        var s = (await pair.SellerHistory()).Select(h => $"    seller: {h.Command} {h.Outcome} {h.FromStatus}→{h.ToStatus} {h.Code} {h.Reason}");
        return string.Join('\n', m.Concat(s));
    }

    /// <summary>
    /// Shrinks a failing history: drops batches, drops commands of concurrent batches, splits concurrent batches into
    /// one command at a time (in the order that explained them), keeping each change under which the history still fails (run up to three times: a race may
    /// need luck). Bounded: at most 60 runs.
    /// </summary>
    private static async Task<(List<Batch> Script, string Failure)> Shrink(ISystemUnderTest system, List<Batch> script, CheckerOptions options)
    {
        var current = script;
        var failure = "(the failure did not happen again)";
        var runs = 0;
        async Task<string?> Fails(List<Batch> candidate)
        {
            for (var attempt = 0; attempt < 3 && runs < 60; attempt++, runs++)
            {
                // First one command at a time in the order that explained each batch, then released together as before.
                var run = await RunOne(system, new Random(attempt), candidate, options with { Shrink = false }, serially: attempt == 0);
                if (run.Failure is not null) return run.Failure;
            }
            return null;
        }
        if (await Fails(current) is { } again) failure = again; else return (current, failure);
        var changed = true;
        while (changed && runs < 60)
        {
            changed = false;
            foreach (var candidate in Smaller(current))
            {
                if (await Fails(candidate) is { } f)
                {
                    (current, failure, changed) = (candidate, f, true);
                    break;
                }
                if (runs >= 60) break;
            }
        }
        return (current, failure);
    }

    private static IEnumerable<List<Batch>> Smaller(List<Batch> script)
    {
        for (var b = script.Count - 1; b >= 0; b--)
        {
            yield return [.. script.Where((_, i) => i != b)];
        }
        for (var b = 0; b < script.Count; b++)
        {
            if (script[b].Commands.Count < 2) continue;
            for (var k = 0; k < script[b].Commands.Count; k++)
            {
                var fewer = new Batch([.. script[b].Commands.Where((_, i) => i != k)], script[b].Wait,
                    script[b].Serial is { } order ? [.. order.Where(i => i != k).Select(i => i > k ? i - 1 : i)] : null);
                yield return [.. script.Take(b), fewer, .. script.Skip(b + 1)];
            }
            var serial = script[b].Serial ?? [.. Enumerable.Range(0, script[b].Commands.Count)];
            yield return [.. script.Take(b), .. serial.Select(k => new Batch([script[b].Commands[k]], TimeSpan.Zero)), .. script.Skip(b + 1)];
        }
    }
}
