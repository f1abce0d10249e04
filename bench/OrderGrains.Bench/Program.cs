using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderGrains.Bench;

// OrderGrains against what users would build instead, measured side by side in one run.
//   dotnet run -c Release --project bench/OrderGrains.Bench -- <lifecycle|races|http|memory|all> [--quick] [--json FILE] [--pg CONNECTION] [--backend NAME-PART]
// --backend keeps only the backends whose name contains NAME-PART (for profiling one of them; ratios need them all).
const string Usage = """
    usage: dotnet run -c Release --project bench/OrderGrains.Bench -- [WORKLOAD] [options]
      WORKLOAD           lifecycle | races | http | memory | idle | consumers | overload | all (default: all, about 18 minutes on 2 cores;
                         idle is not part of all: it places N open orders on PostgreSQL and watches the silo rest;
                         consumers is not part of all: lifecycles with and without a feed and a hook, their lag and the
                         index's, and List orders over 100,000 indexed orders, on PostgreSQL;
                         overload is not part of all: Get order's capacity, then four times it from one AppKey for a
                         minute against the shipped rate limits: admitted latency, shed share, memory)
      --quick            2 short rounds at 1 and 16 clients (a smoke run, about a minute)
      --json FILE        also write every figure to FILE
      --pg CONNECTION    use this PostgreSQL server (otherwise ORDERGRAINS_BENCH_PG, otherwise a throwaway server)
      --backend PART     only the backends whose name contains PART (for profiling one; ratios need them all)
      --variant KEY=VALUE  lifecycle: one more backend, the grains on PostgreSQL with this setting (e.g.
                         Storage:ConcurrentCommits=4), its rounds alternating with the others' (a setting compared in one run)
      -h, --help         this text
    """;
if (args.Any(a => a is "-h" or "--help" or "help"))
{
    Console.WriteLine(Usage);
    return 0;
}
string[] workloads = ["lifecycle", "races", "http", "memory", "idle", "consumers", "overload", "all"];
string[] flags = ["--quick"];
string[] valued = ["--json", "--pg", "--backend", "--variant"];
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (valued.Contains(args[i]))
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) return Refuse($"{args[i]} needs a value");
        i++;
    }
    else if (args[i].StartsWith('-') && !flags.Contains(args[i])) return Refuse($"unknown option {args[i]}");
    else if (!args[i].StartsWith('-')) positional.Add(args[i]);
}
if (positional.Count > 1) return Refuse($"one workload at a time (got {string.Join(", ", positional)})");
if (positional.Count == 1 && !workloads.Contains(positional[0])) return Refuse($"unknown workload {positional[0]}");
var workload = positional.FirstOrDefault() ?? "all";
var only = Option("--backend");
var variant = Option("--variant") is { } setting ? setting.Split('=', 2) : null;
if (variant is not null && (variant.Length != 2 || variant[0].Length == 0)) return Refuse("--variant needs KEY=VALUE");
var quick = args.Contains("--quick");
var jsonPath = Option("--json");
var plan = quick
    ? new Plan(Rounds: 2, Seconds: 1.0, Levels: [1, 16], RacePairs: 64, MemoryOrders: 2_000, HttpClients: 16, WarmUpSeconds: 0.5)
    : new Plan(Rounds: 5, Seconds: 3.0, Levels: [1, 16, 64], RacePairs: 256, MemoryOrders: 100_000, HttpClients: 16, WarmUpSeconds: 5.0);

var results = new List<Row>();
var warmUpViolations = 0;
var databases = new Dictionary<string, string>();
var notes = new List<string>();
var commitsPerLifecycle = new Dictionary<(int Concurrency, string Backend), double>();
await using var postgres = await PostgresServer.Start(Option("--pg") ?? Environment.GetEnvironmentVariable("ORDERGRAINS_BENCH_PG"));
Console.WriteLine($"OrderGrains benchmark — {(quick ? "quick" : "full")} — {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL {postgres.Version}");

if (workload is "lifecycle" or "all") await Lifecycle();
if (workload is "races" or "all") await Races();
if (workload is "http" or "all") await Http();
if (workload is "memory" or "all") await Memory();
if (workload is "idle") await Idle();
if (workload is "consumers") await Consumers();
if (workload is "overload") await Overload();

foreach (var ((c, name), perLifecycle) in commitsPerLifecycle.Where(k => k.Key.Backend == "OrderGrains, PostgreSQL"))
{
    notes.Add(Report.Verdict($"≤ 8 PostgreSQL write commits per lifecycle (c={c})", perLifecycle, 8, lowerIsBetter: true));
}
Report.Print(results, notes);
if (jsonPath is not null)
{
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { quick, plan, machine = Report.Machine(postgres.Version), results, notes }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    Console.WriteLine($"wrote {jsonPath}");
}
return results.Any(r => r.Violations > 0) || warmUpViolations > 0 ? 1 : 0;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static int Refuse(string why)
{
    Console.Error.WriteLine($"OrderGrains.Bench: {why}");
    Console.Error.WriteLine(Usage);
    return 2;
}

bool Included(string name) => only is null || name.Contains(only, StringComparison.OrdinalIgnoreCase);

async Task<List<IBackend>> Backends()
{
    var list = new List<IBackend>();
    if (Included("locked dictionary")) list.Add(new LockedDictionaryBackend());
    if (Included("PostgreSQL FOR UPDATE"))
    {
        databases["PostgreSQL FOR UPDATE"] = postgres.Database("bench_forupdate");
        list.Add(await PostgresForUpdateBackend.Create(databases["PostgreSQL FOR UPDATE"]));
    }
    if (Included("OrderGrains, memory")) list.Add(await Hosts.Grains("OrderGrains, memory", null));
    if (Included("OrderGrains, PostgreSQL"))
    {
        databases["OrderGrains, PostgreSQL"] = postgres.Database("bench_grains");
        list.Add(await Hosts.Grains("OrderGrains, PostgreSQL", databases["OrderGrains, PostgreSQL"]));
    }
    if (variant is not null && $"OrderGrains, PostgreSQL, {variant[0]}={variant[1]}" is var name && Included(name))
    {
        databases[name] = postgres.Database("bench_variant");
        list.Add(await Hosts.Grains(name, databases[name], extra: new() { [variant[0]] = variant[1] }));
    }
    return list;
}

async Task Lifecycle()
{
    var backends = await Backends();
    try
    {
        // Two phases, rounds alternating within each: the in-process backends, then the durable ones once the in-memory
        // silo has stopped. One process hosts them all, and a silo still holding the in-memory rounds' activations and
        // states (hundreds of thousands) taxed the durable grains beside it: at 64 clients they measured 251–357
        // lifecycles/s in full runs against 398–528 alone or beside FOR UPDATE only (README, "Performance").
        var inMemory = backends.Where(b => !databases.ContainsKey(b.Name)).ToList();
        await LifecycleLevels(inMemory, "in memory", withPgBench: false);
        if (inMemory.OfType<GrainsBackend>().FirstOrDefault(b => b.Name == "OrderGrains, memory") is { } grainsInMemory)
        {
            // The floor, in the same run: one bare grain call. A transition's CPU is reported as a multiple of it.
            await Load.BareGrainCalls(grainsInMemory, 16, plan.WarmUpSeconds);
            var floor = new List<Sample>();
            for (var round = 0; round < plan.Rounds; round++) floor.Add(await Load.BareGrainCalls(grainsInMemory, 16, plan.Seconds));
            results.Add(Row.From("grain call", "no-op grain method", 16, floor, null));
            var perCall = floor.Select(f => f.CpuMicrosPerUnit).Order().ElementAt(floor.Count / 2);
            foreach (var row in results.Where(r => r.Workload == "lifecycle" && r.Backend == "OrderGrains, memory"))
            {
                notes.Add($"lifecycle c={row.Concurrency}, OrderGrains, memory: {row.CpuMicrosPerUnit:0} µs CPU per transition = {row.CpuMicrosPerUnit / perCall:0.0}× one bare grain call ({perCall:0.0} µs CPU, same run)");
            }
        }
        foreach (var b in inMemory)
        {
            await b.DisposeAsync();
            backends.Remove(b);
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        await LifecycleLevels(backends, "durable", withPgBench: Included("pgbench -N"));
        if (databases.TryGetValue("OrderGrains, PostgreSQL", out var grainsDatabase) && backends.Any(b => b.Name == "OrderGrains, PostgreSQL"))
        {
            var (entries, entryBytes, orders, rowBytes) = postgres.StorageSizes(grainsDatabase);
            notes.Add($"OrderGrains, PostgreSQL: change log {entries} entries for {orders} seller orders ({entries / (double)Math.Max(1, orders):0.0} per order), " +
                      $"{entryBytes:0} bytes per entry stored; order state rows {rowBytes:0} bytes on average (before retention purges the log)");
        }
    }
    finally
    {
        foreach (var b in backends) await b.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}

/// <summary>Every level of the lifecycle workload for these backends, their rounds alternating.</summary>
async Task LifecycleLevels(List<IBackend> backends, string phase, bool withPgBench)
{
    if (backends.Count == 0 && !withPgBench) return;
    foreach (var c in plan.Levels)
    {
        var samples = backends.ToDictionary(b => b.Name, _ => new List<Sample>());
        if (withPgBench) samples["pgbench -N"] = [];
        var recorders = backends.ToDictionary(b => b.Name, _ => new Recorder());
        // Warm-up: on 2 busy cores the JIT's tier-1 compiles lag far behind; measuring before they land measures the JIT.
        foreach (var b in backends) await Load.Lifecycles(b, c, plan.WarmUpSeconds, new Recorder());
        // Commits counted exactly: write commits (transaction ids handed out) around each backend's own rounds; all
        // transactions (read-only ones too, from pg_stat_database) over the whole level, read after the statistics settled.
        var durable = databases.Keys.Where(backends.Select(b => b.Name).Contains).ToList();
        if (durable.Count > 0) await Task.Delay(PostgresServer.StatisticsSettle);
        var transactionsBefore = durable.ToDictionary(name => name, name => postgres.Transactions(databases[name]));
        var commits = new Dictionary<string, (long Writes, double Lifecycles)>();
        var wal = new Dictionary<string, long>();
        var flushes = new Dictionary<string, (long Count, double Milliseconds)>();
        var busy = new Dictionary<string, (double Busy, double Total)>();
        var gc = new Dictionary<string, (TimeSpan Paused, TimeSpan Elapsed, int Collections, double Lifecycles)>();
        for (var round = 0; round < plan.Rounds; round++)
        {
            foreach (var b in backends)
            {
                var durableBackend = durable.Contains(b.Name);
                var before = durableBackend ? postgres.WriteCommits() : 0;
                var walBefore = durableBackend ? postgres.WalBytes() : 0;
                var flushesBefore = durableBackend ? postgres.WalFlushes() : default;
                var cpuBefore = MachineCpu.Read();
                var (pausedBefore, collectionsBefore, roundClock) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), Stopwatch.StartNew());
                var sample = await Load.Lifecycles(b, c, plan.Seconds, recorders[b.Name]);
                samples[b.Name].Add(sample);
                var (sumPaused, sumElapsed, sumCollections, sumLifecycles) = gc.GetValueOrDefault(b.Name);
                gc[b.Name] = (sumPaused + GC.GetTotalPauseDuration() - pausedBefore, sumElapsed + roundClock.Elapsed,
                    sumCollections + GC.CollectionCount(0) - collectionsBefore, sumLifecycles + sample.Units);
                if (MachineCpu.Read() - cpuBefore is { Total: > 0 } cpu)
                {
                    var (sumBusy, sumTotal) = busy.GetValueOrDefault(b.Name);
                    busy[b.Name] = (sumBusy + cpu.Busy, sumTotal + cpu.Total);
                }
                if (durableBackend)
                {
                    var (sum, count) = commits.GetValueOrDefault(b.Name);
                    commits[b.Name] = (sum + postgres.WriteCommits() - before, count + sample.Units);
                    wal[b.Name] = wal.GetValueOrDefault(b.Name) + postgres.WalBytes() - walBefore;
                    var (flushCount, flushMs) = postgres.WalFlushes();
                    var (sumCount, sumMs) = flushes.GetValueOrDefault(b.Name);
                    flushes[b.Name] = (sumCount + flushCount - flushesBefore.Flushes, sumMs + flushMs - flushesBefore.Milliseconds);
                }
            }
            if (withPgBench) samples["pgbench -N"].Add(await postgres.PgBench(c, plan.Seconds));
        }
        if (durable.Count > 0) await Task.Delay(PostgresServer.StatisticsSettle);
        foreach (var (name, (writes, lifecycles)) in commits)
        {
            var transactions = postgres.Transactions(databases[name]) - transactionsBefore[name];
            var perLifecycle = writes / Math.Max(1, lifecycles);
            commitsPerLifecycle[(c, name)] = perLifecycle;
            notes.Add($"lifecycle c={c}, {name}: {perLifecycle:0.00} PostgreSQL write commits per lifecycle (exact: transaction ids over its rounds, " +
                      $"{writes} for {lifecycles:0} lifecycles, background included); {transactions / Math.Max(1, lifecycles):0.00} transactions per lifecycle " +
                      "with read-only ones (pg_stat_database over the level, settled)");
            notes.Add($"lifecycle c={c}, {name}: {wal[name] / Math.Max(1, lifecycles) / 1024.0:0.0} KB of WAL per lifecycle");
            var (flushCount, flushMs) = flushes[name];
            notes.Add($"lifecycle c={c}, {name}: {flushCount / Math.Max(1, lifecycles):0.00} WAL flushes (fsync) per lifecycle, " +
                      (flushMs > 0 ? $"{flushMs / Math.Max(1, flushCount):0.00} ms each on average" : "their time not tracked (track_wal_io_timing off on this server)"));
        }
        foreach (var (name, (cpuBusy, cpuTotal)) in busy)
        {
            notes.Add($"lifecycle c={c}, {name}: machine CPU busy {100 * cpuBusy / cpuTotal:0}% over its rounds (all processes, PostgreSQL included: /proc/stat)");
        }
        foreach (var (name, (paused, elapsed, collections, lifecycles)) in gc.Where(g => g.Value.Lifecycles > 0))
        {
            // The process's garbage collections while this backend's rounds ran (every backend of the run shares the process).
            notes.Add($"lifecycle c={c}, {name}: GC paused the process {100 * paused / elapsed:0.0}% of its rounds' time, " +
                      $"{collections / lifecycles:0.00} collections and {paused.TotalMicroseconds / lifecycles:0} µs of pause per lifecycle");
        }
        foreach (var (name, list) in samples)
        {
            results.Add(Row.From("lifecycle", name, c, list, recorders.GetValueOrDefault(name)));
        }
        Console.WriteLine($"lifecycle c={c} done ({phase})");
    }
}

async Task Races()
{
    var backends = await Backends();
    try
    {
        foreach (var kind in new[] { RaceKind.CancelVsInvoice, RaceKind.AcceptVsDeny })
        {
            var samples = backends.ToDictionary(b => b.Name, _ => new List<Sample>());
            var recorders = backends.ToDictionary(b => b.Name, _ => new Recorder());
            foreach (var b in backends)
            {
                // Warm-up round, not timed; a pair with other than one winner still fails the run.
                if ((await Load.Races(b, kind, plan.RacePairs, concurrency: 64, new Recorder())).Violations is > 0 and var bad)
                {
                    warmUpViolations += bad;
                    notes.Add($"race {kind}, {b.Name}: {bad} pairs without exactly one winner in the warm-up round");
                }
            }
            for (var round = 0; round < plan.Rounds; round++)
            {
                foreach (var b in backends) samples[b.Name].Add(await Load.Races(b, kind, plan.RacePairs, concurrency: 64, recorders[b.Name]));
            }
            foreach (var (name, list) in samples) results.Add(Row.From($"race {kind}", name, 64, list, recorders[name]));
            Console.WriteLine($"races {kind} done");
        }
    }
    finally
    {
        foreach (var b in backends) await b.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}

async Task Http()
{
    var (service, serviceUri) = await Hosts.Service(null);
    var (noop, noopUri) = await Hosts.NoOp();
    try
    {
        var lifecycle = new List<Sample>();
        var floor = new List<Sample>();
        var recorder = new Recorder();
        var floorRecorder = new Recorder();
        // Nine times the usual warm-up (45 s): with 16 clients keeping both cores busy, the runtime's background compiler
        // works through the gateway path's methods slowly (tier-0, then instrumented, then tier-1): under perf it took a
        // fifth of the CPU in rounds that started after 15 s, and the methods it compiled stopped growing only after ~40 s.
        await Load.HttpLifecycles(serviceUri, plan.HttpClients, 9 * plan.WarmUpSeconds, new Recorder());
        await Load.HttpNoOp(noopUri, plan.HttpClients, plan.WarmUpSeconds, new Recorder());
        var memory = new Dictionary<string, (long Allocated, TimeSpan Paused, TimeSpan Elapsed, double Requests)>();
        async Task<Sample> Measured(string name, Func<Task<Sample>> run)
        {
            // The process's allocations and GC pauses while these rounds ran (both hosts and the client share the process).
            var (allocated, paused, clock) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), Stopwatch.StartNew());
            var sample = await run();
            var sum = memory.GetValueOrDefault(name);
            memory[name] = (sum.Allocated + GC.GetTotalAllocatedBytes() - allocated, sum.Paused + GC.GetTotalPauseDuration() - paused,
                sum.Elapsed + clock.Elapsed, sum.Requests + sample.Rate * clock.Elapsed.TotalSeconds);
            return sample;
        }
        for (var round = 0; round < plan.Rounds; round++)
        {
            lifecycle.Add(await Measured("OrderGrains gateway (memory)", () => Load.HttpLifecycles(serviceUri, plan.HttpClients, plan.Seconds, recorder)));
            floor.Add(await Measured("no-op minimal API", () => Load.HttpNoOp(noopUri, plan.HttpClients, plan.Seconds, floorRecorder)));
        }
        foreach (var (name, (allocated, paused, elapsed, requests)) in memory)
        {
            notes.Add($"http, {name}: {allocated / Math.Max(1, requests) / 1024:0.0} KB allocated per request (the process, client included); " +
                      $"GC paused the process {100 * paused / elapsed:0.0}% of its rounds' time");
        }
        results.Add(Row.From("http lifecycle", "OrderGrains gateway (memory)", plan.HttpClients, lifecycle, recorder));
        results.Add(Row.From("http lifecycle", "no-op minimal API", plan.HttpClients, floor, floorRecorder));
        Console.WriteLine("http done");
    }
    finally
    {
        await Hosts.Stop(service);
        await Hosts.Stop(noop);
    }
}

// Overload: Get order's capacity (closed loop, 16 clients, limits lifted), then an open-loop arrival rate of four times
// that from one AppKey for a minute against the shipped limits (6,000 reads a minute per key). Reported: what was
// admitted and how fast, what was shed (429, 503), and the process's memory before, at most, and after.
async Task Overload()
{
    var seconds = quick ? 15 : 60;
    var ids = new List<string>();
    double capacity;
    double capacityP99;
    {
        var (service, uri) = await Hosts.Service(null);
        try
        {
            ids.AddRange(await Load.PlaceForReads(uri, 200));
            await Load.HttpReads(uri, ids, 16, plan.WarmUpSeconds);
            var (rate, p99) = await Load.HttpReads(uri, ids, 16, quick ? 5 : 10);
            (capacity, capacityP99) = (rate, p99);
        }
        finally
        {
            await Hosts.Stop(service);
        }
    }
    Console.WriteLine($"Get order capacity: {capacity:0} requests/s at 16 clients (p99 {capacityP99:0.0} ms)");
    {
        var (service, uri) = await Hosts.Service(null, shippedRateLimits: true);
        try
        {
            ids.Clear();
            ids.AddRange(await Load.PlaceForReads(uri, 200));
            await Task.Delay(TimeSpan.FromSeconds(11)); // the key's bucket refills after the placements
            var offered = 4 * capacity;
            var o = await Load.OpenLoopReads(uri, ids, offered, seconds);
            var shed = (o.TooMany + o.Overloaded) / (double)Math.Max(1, o.Sent);
            Console.WriteLine($"overload: offered {offered:0}/s for {seconds} s from one key; sent {o.Sent} ({o.NotSent} not sent: the generator fell behind), " +
                              $"admitted {o.Admitted} ({o.Admitted / (double)seconds:0.0}/s, p50 {o.AdmittedP50:0.0} ms, p99 {o.AdmittedP99:0.0} ms), " +
                              $"shed {shed:P1} (429: {o.TooMany}, 503: {o.Overloaded}, other: {o.Other}); shed answers p99 {o.ShedP99:0.0} ms");
            Console.WriteLine($"memory: managed heap {o.HeapBefore / 1e6:0.0} MB before, {o.HeapMax / 1e6:0.0} MB at most, {o.HeapAfter / 1e6:0.0} MB after; " +
                              $"working set {o.WorkingSetBefore / 1e6:0} MB before, {o.WorkingSetMax / 1e6:0} MB at most, {o.WorkingSetAfter / 1e6:0} MB after");
            notes.Add($"overload: capacity {capacity:0}/s (p99 {capacityP99:0.0} ms); at {offered:0}/s offered from one key: admitted {o.Admitted / (double)seconds:0.0}/s p99 {o.AdmittedP99:0.0} ms, shed {shed:P1}; " +
                      $"managed heap {o.HeapBefore / 1e6:0.0} → max {o.HeapMax / 1e6:0.0} → {o.HeapAfter / 1e6:0.0} MB");
        }
        finally
        {
            await Hosts.Stop(service);
        }
    }
}

// Idle cost: N orders placed into handling (they rest there for days in real life), then nothing happens for longer than
// the old reconcile interval (1 minute). Silo CPU and PostgreSQL commits over the idle period, for N = 0 and N open
// orders: with no per-order periodic work the two should be alike. Activations are counted at the start and the end
// of the idle period (collection age 30 s here, so idle orders should be gone).
async Task Idle()
{
    var open = quick ? 500 : 10_000;
    var idleSeconds = quick ? 75 : 150;
    foreach (var n in new[] { 0, open })
    {
        var database = postgres.Database($"bench_idle_{n}");
        await using var backend = await Hosts.Grains($"OrderGrains, PostgreSQL, {n} open", database, collectionAge: TimeSpan.FromSeconds(30));
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
            {
                await gate.WaitAsync();
                try { await backend.IntoHandling($"vidle{n}x{i}"); }
                finally { gate.Release(); }
            }));
        }
        // Settle: the placements' tail (change-log delivery, cursor writes) ends, and PostgreSQL's statistics catch up.
        await Task.Delay(TimeSpan.FromSeconds(60));
        var management = backend.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0);
        var activationsBefore = await management.GetTotalActivationCount();
        var commitsBefore = postgres.Transactions(database);
        var writesBefore = postgres.WriteCommits();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var writes = postgres.WriteCommits() - writesBefore;
        await Task.Delay(PostgresServer.StatisticsSettle); // idle anyway: let the statistics of the period's last seconds arrive
        var commits = postgres.Transactions(database) - commitsBefore;
        var activationsAfter = await management.GetTotalActivationCount();
        var perMinute = 60.0 / idleSeconds;
        results.Add(new Row("idle", backend.Name, n, cpu * perMinute, cpu * perMinute, cpu * perMinute, 0, 0, new Dictionary<string, double[]>(), commits * perMinute,
            "silo CPU-seconds a minute (secondary: PostgreSQL commits a minute)"));
        notes.Add($"idle, {n} open orders in handling: {cpu * perMinute:0.00} CPU-s/min, {commits * perMinute:0.0} transactions/min ({commits / (double)idleSeconds:0.00}/s; " +
                  $"{writes * perMinute:0.0} write commits/min), activations {activationsBefore} at the start of {idleSeconds} s idle, {activationsAfter} at its end");
    }
}

async Task Memory()
{
    // The memory profile holds serialized copies of every state in its storage grains; the PostgreSQL profile (what
    // ships) does not. Fewer orders on PostgreSQL: each placement is two durable commits.
    foreach (var (name, database, orders) in new[]
             {
                 ("OrderGrains, memory", (string?)null, plan.MemoryOrders),
                 ("OrderGrains, PostgreSQL", Included("OrderGrains, PostgreSQL") ? postgres.Database("bench_memory") : null, Math.Min(plan.MemoryOrders, 20_000)),
             })
    {
        if (!Included(name) || (name.EndsWith("PostgreSQL", StringComparison.Ordinal) && database is null)) continue;
        var backend = await Hosts.Grains(name, database);
        try
        {
            var sample = await Load.Memory(backend, orders);
            results.Add(new Row("memory", backend.Name, orders, sample.Rate, sample.Rate, sample.Rate, 0, 0, new Dictionary<string, double[]>(), 0,
                "bytes per active order pair (marketplace + seller grain and all they hold: storage copies in memory; placed as the gateway places them)"));
            Console.WriteLine($"memory {name} done");
        }
        finally
        {
            await backend.DisposeAsync();
        }
    }
}

// The change log's consumers on PostgreSQL at 16 clients: lifecycle throughput without and then with a feed (drained by a
// reader) and a hook (a loopback receiver) configured; the lag of the index (indexed_at − logged_at), of the feed (received
// − the change's time) and of the hook (arrival − the change's time); then List orders with 100,000 orders in the index.
async Task Consumers()
{
    const int clients = 16;
    var database = postgres.Database("bench_consumers");
    var statuses = new[] { "order-accepted", "window-to-cancel", "ready-for-handling", "handling", "invoiced", "canceled", "payment-pending", "payment-approved" };
    await using var receiver = new OrderGrains.Testing.HookReceiver();
    var backend = await Hosts.Grains("OrderGrains, PostgreSQL", database);
    string serviceId;
    try
    {
        var without = new List<Sample>();
        var with = new List<Sample>();
        await Load.Lifecycles(backend, clients, plan.WarmUpSeconds, new Recorder());
        for (var round = 0; round < plan.Rounds; round++) without.Add(await Load.Lifecycles(backend, clients, plan.Seconds, new Recorder()));

        var feeds = backend.Grains.GetGrain<OrderGrains.Contracts.IOrderFeedGrain>(0);
        await feeds.Configure(new OrderGrains.Contracts.FeedConfig("bench-feed", OrderGrains.Contracts.FeedKind.Feed, statuses, null, null, 60, 3600, null, null, null, DateTimeOffset.UtcNow));
        await feeds.Configure(new OrderGrains.Contracts.FeedConfig("bench-hook", OrderGrains.Contracts.FeedKind.Hook, statuses, null, null, 30, 345_600,
            receiver.Url, new Dictionary<string, string>(), "bench-secret", DateTimeOffset.UtcNow));
        var feedLag = new HdrHistogram.LongHistogram(1, 3_600_000_000, 3);
        long feedItems = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var items = await feeds.Read("bench-feed", 10) ?? [];
                if (items.Count == 0) { await Task.Delay(5); continue; }
                var now = DateTimeOffset.UtcNow;
                foreach (var item in items) feedLag.RecordValue(Math.Max(1, (long)(now - item.CurrentChange).TotalMicroseconds));
                feedItems += items.Count;
                await feeds.Commit("bench-feed", [.. items.Select(i => i.Handle)]);
            }
        });
        var withStart = DateTimeOffset.UtcNow;
        for (var round = 0; round < plan.Rounds; round++)
        {
            with.Add(await Load.Lifecycles(backend, clients, plan.Seconds, new Recorder()));
            Console.WriteLine($"consumers: round {round + 1} with a feed and a hook: {with[^1].Rate:0.0} lifecycles/s, feed items read so far {feedItems}, hook notifications {receiver.Requests.Count}");
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // the consumers drain
        await stop.CancelAsync();
        await reader;

        var hookLag = new HdrHistogram.LongHistogram(1, 3_600_000_000, 3);
        foreach (var r in receiver.Requests.Where(r => r.Body["CurrentChange"] is not null))
        {
            hookLag.RecordValue(Math.Max(1, (long)(r.At - r.Body["CurrentChange"]!.GetValue<DateTimeOffset>()).TotalMicroseconds));
        }
        await using var db = new Npgsql.NpgsqlConnection(database);
        await db.OpenAsync();
        await using (var lag = new Npgsql.NpgsqlCommand("""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM indexed_at - logged_at)) * 1000,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM indexed_at - logged_at)) * 1000, count(*), min(service_id)
            FROM og_order_index WHERE indexed_at >= $1
            """, db))
        {
            lag.Parameters.Add(new() { Value = withStart.UtcDateTime });
            await using var row = await lag.ExecuteReaderAsync();
            await row.ReadAsync();
            notes.Add($"consumers c={clients}: index lag (indexed_at − logged_at, {row.GetInt64(2)} rows) p50 {row.GetDouble(0):0.0} ms, p99 {row.GetDouble(1):0.0} ms");
            serviceId = row.GetString(3);
        }
        notes.Add($"consumers c={clients}: feed lag (received − the change, {feedItems} items) p50 {feedLag.GetValueAtPercentile(50) / 1000.0:0.0} ms, p99 {feedLag.GetValueAtPercentile(99) / 1000.0:0.0} ms");
        notes.Add($"consumers c={clients}: hook lag (arrival − the change, {hookLag.TotalCount} notifications) p50 {hookLag.GetValueAtPercentile(50) / 1000.0:0.0} ms, p99 {hookLag.GetValueAtPercentile(99) / 1000.0:0.0} ms");
        results.Add(Row.From("consumers", "lifecycle, no feed or hook", clients, without, null));
        results.Add(Row.From("consumers", "lifecycle, a feed and a hook", clients, with, null));
    }
    finally
    {
        await backend.DisposeAsync();
    }

    // List orders and the ops console over 100,000 indexed orders (synthetic rows: a quarter in each of four statuses, one in 50
    // with a return invoice, created and last changed every 3 s back from now, so the oldest in handling are past its 72 h level).
    var indexed = quick ? 10_000 : 100_000;
    await using (var db = new Npgsql.NpgsqlConnection(database))
    {
        await db.OpenAsync();
        await using var fill = new Npgsql.NpgsqlCommand("""
            INSERT INTO og_order_index (service_id, seller_order_id, marketplace_order_id, order_group, account, seller_id, marketplace_status,
                seller_status, value, total_items, creation_date, last_change, has_input_invoice, sequence, logged_at, indexed_at)
            SELECT $1, 'SLR-syn' || i || '-01', 'syn' || i || '-01', 'syn' || i, 'bench', 'seller1',
                   (ARRAY['payment-pending','payment-approved','invoiced','canceled'])[1 + i % 4],
                   (ARRAY['order-accepted','handling','invoiced','canceled'])[1 + i % 4],
                   1000 + i % 977, 1 + i % 5, now() - make_interval(secs => 3 * i), now() - make_interval(secs => 3 * i), i % 50 = 0, 1, now(), now()
            FROM generate_series(1, $2) AS i
            """, db);
        fill.Parameters.Add(new() { Value = serviceId });
        fill.Parameters.Add(new() { Value = indexed });
        await fill.ExecuteNonQueryAsync();
        await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE og_order_index", db);
        await analyze.ExecuteNonQueryAsync();
    }
    var (service, address) = await Hosts.Service(database);
    try
    {
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add("X-VTEX-API-AppKey", Hosts.MarketplaceKey);
        http.DefaultRequestHeaders.Add("X-VTEX-API-AppToken", Hosts.MarketplaceToken);
        string[] queries =
        [
            "f_status=handling&per_page=15",
            "f_status=invoiced,canceled&orderBy=totalValue,desc&per_page=100&page=3",
            "f_hasInputInvoice=true&per_page=15",
            $"f_creationDate=creationDate:[{DateTime.UtcNow.AddHours(-6):yyyy-MM-ddTHH:mm:ss.fffZ} TO {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}]&f_status=handling",
            "q=syn4242&per_page=15",
        ];
        var recorder = new Recorder();
        for (var i = 0; i < 50; i++) await http.GetStringAsync("/api/oms/pvt/orders?" + queries[i % queries.Length]);
        var requests = quick ? 200 : 1000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            var query = queries[i % queries.Length];
            var response = await recorder.Time(query.Split('&')[0].Split('=')[0], () => http.GetAsync("/api/oms/pvt/orders?" + query));
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"List orders {query}: {(int)response.StatusCode}");
        }
        var all = recorder.Percentiles();
        results.Add(new Row("list orders", $"{indexed:N0} indexed orders", 1, requests / clock.Elapsed.TotalSeconds, 0, 0, 0, 0,
            all.ToDictionary(p => p.Key, p => new[] { p.Value.P50, p.Value.P99 }), 0, "requests/s (one client)"));
        foreach (var (name, (p50, p99)) in all) notes.Add($"list orders over {indexed:N0} indexed orders, filter {name}: p50 {p50:0.0} ms, p99 {p99:0.0} ms");

        // The ops console's pages, as an ops key's browser asks for them (HTTP Basic): the board with its attention list,
        // a status search, an id search, and one real order's timeline.
        var placed = System.Text.Json.Nodes.JsonNode.Parse(await (await http.PostAsync("/api/oms/pvt/orders", new StringContent(
            """{"items":[{"sellerId":"seller1","skuId":"sku","quantity":1,"price":100}]}""", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!;
        using var ops = new HttpClient { BaseAddress = address };
        ops.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Hosts.OpsKey}:{Hosts.OpsToken}")));
        string[] pages = ["/ops", "/ops/orders?status=handling", "/ops/orders?q=syn4242", $"/ops/orders/{placed["orders"]![0]!["orderId"]!.GetValue<string>()}"];
        for (var i = 0; i < 20; i++) await ops.GetStringAsync(pages[i % pages.Length]);
        var console = new Recorder();
        var pageRequests = quick ? 200 : 1000;
        for (var i = 0; i < pageRequests; i++)
        {
            var pagePath = pages[i % pages.Length];
            var name = pagePath == "/ops" ? "board" : pagePath.Contains("status=") ? "status search" : pagePath.Contains("q=") ? "id search" : "timeline";
            var response = await console.Time(name, () => ops.GetAsync(pagePath));
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ops console {pagePath}: {(int)response.StatusCode}");
        }
        foreach (var (name, (p50, p99)) in console.Percentiles())
        {
            notes.Add($"ops console over {indexed:N0} indexed orders, {name}: p50 {p50:0.0} ms, p99 {p99:0.0} ms — {(p99 <= 200 ? "within" : "over")} 200 ms");
        }
    }
    finally
    {
        await Hosts.Stop(service);
    }
}

public sealed record Plan(int Rounds, double Seconds, int[] Levels, int RacePairs, int MemoryOrders, int HttpClients, double WarmUpSeconds);
