using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OrderGrains.Contracts;

namespace OrderGrains.Bench;

/// <summary>One measurement: a rate (per second, or bytes for memory), CPU time spent per unit, and any wrong answers seen.</summary>
/// <summary>One measured round: units per second, CPU per unit, race violations, HTTP requests, and how many units completed.</summary>
public sealed record Sample(double Rate, double CpuMicrosPerUnit, int Violations = 0, double Requests = 0, long Units = 0);

public static class Load
{
    /// <summary>The HTTP lifecycle's placement: the benchmark's checkout (PairLogic.Checkout) as a marketplace sends it.</summary>
    private static readonly object CheckoutBody = new
    {
        items = new[] { new { id = "sku", seller = "seller1", productId = "p-1", name = "Bench item", quantity = 2, price = 500, measurementUnit = "un" } },
        clientProfileData = new { email = "buyer@example.com", firstName = "Ana", lastName = "Lima", documentType = "cpf", document = "12345678900", phone = "+5521999990000" },
        shippingData = new
        {
            address = new { addressType = "residential", receiverName = "Ana Lima", postalCode = "22000-000", city = "Rio de Janeiro", state = "RJ", country = "BRA", street = "Rua A", number = "10", neighborhood = "Centro" },
            logisticsInfo = new[] { new { itemIndex = 0, selectedSla = "Normal", price = 0, listPrice = 0, sellingPrice = 0, deliveryCompany = "Correios", shippingEstimate = "3bd" } },
        },
        paymentData = new { transactions = new[] { new { transactionId = "tx", merchantName = "bench", payments = new[] { new { id = "pay", paymentSystem = "2", paymentSystemName = "Visa", value = 1000, installments = 1, group = "creditCard" } } } } },
    };

    /// <summary>The constant bodies, serialized once as a client would keep them (sent with a Content-Length, as VTEX's clients do).</summary>
    private static readonly byte[] CheckoutJson = Json(CheckoutBody), PaymentJson = Json(new { status = "approved" }),
        InvoiceJson = Json(new { invoiceNumber = "INV-1", invoiceValue = 1000 }), NoOpJson = Json(new { });

    private static byte[] Json(object body) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body, System.Text.Json.JsonSerializerOptions.Web);

    /// <summary>States changed per lifecycle: seller accepted, window, ready, handling, invoiced; marketplace pending, approved, invoiced.</summary>
    public const int TransitionsPerLifecycle = 8;

    private static long counter;
    public static string NewId() => "b" + Interlocked.Increment(ref counter).ToString("x") + Guid.NewGuid().ToString("N")[..6];

    public static async Task<Sample> Lifecycles(IBackend backend, int concurrency, double seconds, Recorder recorder)
    {
        var done = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < until)
            {
                await backend.Lifecycle(NewId(), recorder);
                Interlocked.Increment(ref done);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        return new Sample(done / elapsed, cpuUsed / Math.Max(1, done * TransitionsPerLifecycle), Units: done);
    }

    /// <summary>Prepares <paramref name="pairs"/> orders, then releases each pair's two commands together, <paramref name="concurrency"/> pairs at a time.</summary>
    public static async Task<Sample> Races(IBackend backend, RaceKind kind, int pairs, int concurrency, Recorder recorder)
    {
        var prepared = new List<(string Id, string Request)>();
        foreach (var chunk in Enumerable.Range(0, pairs).Chunk(concurrency))
        {
            prepared.AddRange(await Task.WhenAll(chunk.Select(async _ =>
            {
                var id = NewId();
                return (id, await backend.PrepareRace(id, kind));
            })));
        }
        var violations = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var chunk in prepared.Chunk(concurrency))
        {
            await Task.WhenAll(chunk.Select(p => Task.Run(async () =>
            {
                var (a, b) = await recorder.Time("pair", () => backend.Race(p.Id, p.Request, kind));
                if (a == b) Interlocked.Increment(ref violations); // exactly one of the two must win
            })));
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        return new Sample(pairs / elapsed, cpuUsed / pairs, violations);
    }

    private static HttpClient Client(Uri address, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = address };

    private static HttpRequestMessage Request(HttpMethod method, string path, bool seller, byte[]? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-VTEX-API-AppKey", seller ? Hosts.SellerKey : Hosts.MarketplaceKey);
        request.Headers.Add("X-VTEX-API-AppToken", seller ? Hosts.SellerToken : Hosts.MarketplaceToken);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(json);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        return request;
    }

    /// <summary>The lifecycle through the gateway on a loopback port; the rate is HTTP requests per second (polls included).</summary>
    public static async Task<Sample> HttpLifecycles(Uri address, int concurrency, double seconds, Recorder recorder)
    {
        using var http = Client(address, concurrency);
        long requests = 0;
        var lifecycles = 0;
        async Task<HttpResponseMessage> Send(string name, HttpRequestMessage request)
        {
            Interlocked.Increment(ref requests);
            var response = await recorder.Time(name, () => http.SendAsync(request));
            if ((int)response.StatusCode >= 500) throw new InvalidOperationException($"{name}: {response.StatusCode}");
            return response;
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < until)
            {
                string order, seller;
                using (var placed = System.Text.Json.JsonDocument.Parse(await (await Send("place", Request(HttpMethod.Post, "/api/oms/pvt/orders", false,
                    CheckoutJson))).Content.ReadAsByteArrayAsync()))
                {
                    var first = placed.RootElement.GetProperty("orders")[0];
                    (order, seller) = (first.GetProperty("orderId").GetString()!, first.GetProperty("sellerOrderId").GetString()!);
                }
                await Send("payment", Request(HttpMethod.Post, $"/api/oms/pvt/orders/{order}/payment-notification", false, PaymentJson));
                while ((await Send("start-handling", Request(HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/start-handling", true))).StatusCode != System.Net.HttpStatusCode.NoContent)
                    await Task.Delay(1);
                await Send("invoice", Request(HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/invoice", true, InvoiceJson));
                while ((await (await Send("get", Request(HttpMethod.Get, $"/api/oms/pvt/orders/{order}", false))).Content.ReadAsByteArrayAsync()).AsSpan().IndexOf("\"status\":\"invoiced\""u8) < 0)
                    await Task.Delay(1);
                Interlocked.Increment(ref lifecycles);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        return new Sample(requests / elapsed, cpuUsed / Math.Max(1, requests), Requests: lifecycles / elapsed);
    }

    /// <summary>The floor: the same client doing the same per-request work (a timed send, the answer read as bytes) against a no-op endpoint.</summary>
    public static async Task<Sample> HttpNoOp(Uri address, int concurrency, double seconds, Recorder recorder)
    {
        using var http = Client(address, concurrency);
        long requests = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < until)
            {
                Interlocked.Increment(ref requests);
                using var response = await recorder.Time("noop", () => http.SendAsync(Request(HttpMethod.Post, "/noop", false, NoOpJson)));
                if ((int)response.StatusCode >= 500) throw new InvalidOperationException($"noop: {response.StatusCode}");
                await response.Content.ReadAsByteArrayAsync();
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        return new Sample(requests / elapsed, cpuUsed / Math.Max(1, requests));
    }

    /// <summary>Activates <paramref name="orders"/> order pairs and measures the managed heap they hold.</summary>
    /// <summary>
    /// The floor: a no-op grain method (<c>IOrderGroupGrain.Ping</c>) called in a loop by <paramref name="concurrency"/>
    /// callers on as many activations; the rate is calls per second and the CPU is per call.
    /// </summary>
    public static async Task<Sample> BareGrainCalls(GrainsBackend backend, int concurrency, double seconds)
    {
        var grains = Enumerable.Range(0, concurrency).Select(i => backend.Grains.GetGrain<IOrderGroupGrain>($"bench-floor-{i}")).ToList();
        await Task.WhenAll(grains.Select(g => g.Ping()));
        long done = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(grains.Select(g => Task.Run(async () =>
        {
            while (clock.Elapsed < until)
            {
                await g.Ping();
                Interlocked.Increment(ref done);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        return new Sample(done / elapsed, cpuUsed / Math.Max(1, done), Units: done);
    }

    public static async Task<Sample> Memory(GrainsBackend backend, int orders)
    {
        var grains = backend.Grains;
        // Warm the types and caches first, so the delta is the orders.
        await Place(grains, 200);
        var before = Heap();
        await Place(grains, orders);
        var after = Heap();
        return new Sample((after - before) / (double)orders, 0);
    }

    private static async Task Place(IGrainFactory grains, int orders)
    {
        foreach (var chunk in Enumerable.Range(0, orders).Chunk(256))
        {
            await Task.WhenAll(chunk.Select(_ => OrderGroups.Place(grains, NewId(), new PlaceOrderGroup("SLR", [new GroupItem("seller1", "sku", 2, 500)], "bench", PairLogic.Checkout))));
        }
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Places <paramref name="count"/> orders over HTTP for a read workload; returns their ids.</summary>
    public static async Task<List<string>> PlaceForReads(Uri address, int count)
    {
        using var http = Client(address, 8);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var placed = JsonNode.Parse(await (await http.SendAsync(Request(HttpMethod.Post, "/api/oms/pvt/orders", false, CheckoutJson))).Content.ReadAsStringAsync())!;
            ids.Add(placed["orders"]![0]!["orderId"]!.GetValue<string>());
        }
        return ids;
    }

    /// <summary>Closed loop: <paramref name="concurrency"/> clients read orders for <paramref name="seconds"/>; requests a second and p99 (ms).</summary>
    public static async Task<(double Rate, double P99)> HttpReads(Uri address, IReadOnlyList<string> ids, int concurrency, double seconds)
    {
        using var http = Client(address, concurrency);
        var recorder = new Recorder();
        long done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                using var response = await recorder.Time("get", () => http.SendAsync(Request(HttpMethod.Get, $"/api/oms/pvt/orders/{ids[random.Next(ids.Count)]}", false)));
                if (response.StatusCode != System.Net.HttpStatusCode.OK) throw new InvalidOperationException($"get: {response.StatusCode}");
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref done);
            }
        })));
        return (done / clock.Elapsed.TotalSeconds, recorder.Percentiles()["get"].P99);
    }

    public sealed record OpenLoopResult(long Sent, long NotSent, long Admitted, long TooMany, long Overloaded, long Other,
        double AdmittedP50, double AdmittedP99, double ShedP99, long HeapBefore, long HeapMax, long HeapAfter, long WorkingSetBefore, long WorkingSetMax, long WorkingSetAfter);

    /// <summary>
    /// Open loop: requests start at <paramref name="perSecond"/> whatever the answers do (at most 4,096 outstanding: past
    /// that an arrival is counted as not sent), for <paramref name="seconds"/>. Memory is sampled every 100 ms.
    /// </summary>
    public static async Task<OpenLoopResult> OpenLoopReads(Uri address, IReadOnlyList<string> ids, double perSecond, int seconds)
    {
        using var http = Client(address, 256);
        var admitted = new Recorder();
        var shed = new Recorder();
        long sent = 0, notSent = 0, ok = 0, tooMany = 0, overloaded = 0, other = 0, outstanding = 0;
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(true);
        var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        long heapMax = heapBefore, workingSetMax = workingSetBefore;
        var inFlight = new List<Task>();
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        var nextSample = 0.0;
        long started = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * perSecond);
            for (; started < due; started++)
            {
                if (Interlocked.Read(ref outstanding) >= 4096) { notSent++; continue; }
                Interlocked.Increment(ref outstanding);
                sent++;
                var id = ids[random.Next(ids.Count)];
                inFlight.Add(Task.Run(async () =>
                {
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await http.SendAsync(Request(HttpMethod.Get, $"/api/oms/pvt/orders/{id}", false));
                        await response.Content.ReadAsByteArrayAsync();
                        var code = (int)response.StatusCode;
                        if (code == 200) { Interlocked.Increment(ref ok); admitted.RecordSince("get", start); }
                        else if (code == 429) { Interlocked.Increment(ref tooMany); shed.RecordSince("shed", start); }
                        else if (code == 503) { Interlocked.Increment(ref overloaded); shed.RecordSince("shed", start); }
                        else Interlocked.Increment(ref other);
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref other);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref outstanding);
                    }
                }));
            }
            if (clock.Elapsed.TotalSeconds >= nextSample)
            {
                heapMax = Math.Max(heapMax, GC.GetTotalMemory(false));
                workingSetMax = Math.Max(workingSetMax, Process.GetCurrentProcess().WorkingSet64);
                nextSample += 0.1;
                inFlight.RemoveAll(t => t.IsCompleted);
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(inFlight);
        GC.Collect();
        var heapAfter = GC.GetTotalMemory(true);
        var workingSetAfter = Process.GetCurrentProcess().WorkingSet64;
        var a = admitted.Percentiles().GetValueOrDefault("get");
        var s = shed.Percentiles().GetValueOrDefault("shed");
        return new OpenLoopResult(sent, notSent, ok, tooMany, overloaded, other, a.P50, a.P99, s.P99,
            heapBefore, heapMax, heapAfter, workingSetBefore, workingSetMax, workingSetAfter);
    }
}
