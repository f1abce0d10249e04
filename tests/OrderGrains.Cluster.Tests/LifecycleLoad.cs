using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;
using Xunit.Abstractions;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// Orders driven through their lifecycles over HTTP, races included, by a careful client (<see cref="RetryingApi"/>),
/// remembering every request and whether it was acknowledged; and the verdict at rest (<see cref="Check"/>).
/// The crash test and the fault campaign share both.
/// </summary>
public sealed class LifecycleLoad(RetryingApi api)
{
    /// <summary>One logical request: which order's history must show it, under which command name.</summary>
    public sealed record Request(string OrderId, string SellerOrderId, bool SellerHistory, string Command, bool Acknowledged);

    public RetryingApi Api => api;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public ConcurrentBag<Request> Issued { get; } = [];
    public ConcurrentBag<(string Order, string Seller)> Orders { get; } = [];
    public ConcurrentQueue<DateTime> AcknowledgedWrites { get; } = new();

    public async Task<(int Status, JsonNode? Body)> Write(string order, string seller, bool sellerHistory, string command, HttpMethod method, string path, bool asSeller, object? body)
    {
        var (status, json) = await api.Send(method, path, asSeller, body);
        var acknowledged = status is >= 200 and < 300 && json?["outcome"]?.GetValue<string>() is null or "accepted";
        Issued.Add(new Request(order, seller, sellerHistory, command, acknowledged));
        if (acknowledged) AcknowledgedWrites.Enqueue(DateTime.UtcNow);
        Assert.True(status < 500, $"{command} on {order}: {status} {json}");
        return (status, json);
    }

    /// <summary>Workers run lifecycles until <paramref name="stop"/> and at least <paramref name="minimumOrders"/> orders.</summary>
    public Task Run(int workers, int minimumOrders, CancellationToken stop)
    {
        var next = 0;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested || Volatile.Read(ref next) < minimumOrders)
            {
                await Lifecycle(Interlocked.Increment(ref next));
            }
        })));
    }

    /// <summary>When the orders placed before <paramref name="since"/> (the last <paramref name="sample"/>) all agreed again.</summary>
    public async Task<TimeSpan> ConvergedAfter(IGrainFactory checker, DateTime since, int sample = 40)
    {
        var before = Orders.ToArray().TakeLast(sample).ToArray();
        var latest = DateTime.UtcNow;
        foreach (var (order, seller) in before)
        {
            var give = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < give)
            {
                try
                {
                    var m = await checker.GetGrain<IMarketplaceOrderGrain>(order).GetView();
                    var s = await checker.GetGrain<ISellerOrderGrain>(seller).GetView();
                    if (m is not null && s is not null && m.Seller?.Sequence == s.Sequence) break;
                }
                catch (Exception ex) when (ex is TimeoutException || ex.GetType().Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true) { }
                await Task.Delay(50);
            }
            latest = DateTime.UtcNow;
        }
        return latest - since;
    }

    /// <summary>When the first write after <paramref name="since"/> was acknowledged (the cluster serves again).</summary>
    public async Task<TimeSpan> FirstAcknowledgedAfter(DateTime since)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        DateTime? first;
        while ((first = AcknowledgedWrites.Where(t => t > since).Cast<DateTime?>().FirstOrDefault()) is null && DateTime.UtcNow < until) await Task.Delay(50);
        return (first ?? DateTime.UtcNow) - since;
    }

    /// <summary>One order's lifecycle, races included (which race: <paramref name="n"/> modulo 4).</summary>
    public async Task Lifecycle(int n)
    {
        var (placing, placed) = await Api.Send(HttpMethod.Post, "/api/oms/pvt/orders", false, new { items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 2, price = 500 } } });
        Assert.True(placing is 200 or 201 && placed?["orders"] is not null, $"placing: {placing} {placed?.ToJsonString()}");
        var order = placed!["orders"]![0]!["orderId"]!.GetValue<string>();
        var seller = placed["orders"]![0]!["sellerOrderId"]!.GetValue<string>();
        Orders.Add((order, seller));
        AcknowledgedWrites.Enqueue(DateTime.UtcNow);
        await Write(order, seller, false, "payment-approved", HttpMethod.Post, $"/api/oms/pvt/orders/{order}/payment-notification", false, new { status = "approved" });
        if (await Api.WaitForSellerStatus(seller, "ready-for-handling", TimeSpan.FromSeconds(60)) != "ready-for-handling") return;
        await Write(order, seller, true, "start-handling", HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/start-handling", true, null);
        var invoice = new { invoiceNumber = "F-" + n, invoiceValue = 1000 };
        switch (n % 4)
        {
            case 0:
                await Write(order, seller, true, "invoice", HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/invoice", true, invoice);
                break;
            case 1: // marketplace cancel races the invoice
                await Task.WhenAll(
                    Write(order, seller, false, "cancel-by-marketplace", HttpMethod.Post, $"/api/oms/pvt/orders/{order}/cancel", false, new { reason = "race" }),
                    Write(order, seller, true, "invoice", HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/invoice", true, invoice));
                break;
            case 2: // both sides cancel at once
                await Task.WhenAll(
                    Write(order, seller, true, "cancel-by-seller", HttpMethod.Post, $"/api/oms/pvt/orders/{seller}/cancel", true, new { reason = "race" }),
                    Write(order, seller, false, "cancel-by-marketplace", HttpMethod.Post, $"/api/oms/pvt/orders/{order}/cancel", false, new { reason = "race" }));
                break;
            default: // a request, then accept races deny
                var (_, cancel) = await Write(order, seller, false, "cancel-by-marketplace", HttpMethod.Post, $"/api/oms/pvt/orders/{order}/cancel", false, new { reason = "please" });
                var request = cancel?["cancellationRequestId"]?.GetValue<string>();
                if (request is null) break;
                await Task.WhenAll(
                    Write(order, seller, true, "accept-cancellation-request", HttpMethod.Post, $"/api/orders/pvt/document/{seller}/accept-cancellation-request", true, new { cancellationRequestId = request }),
                    Write(order, seller, true, "deny-cancellation-request", HttpMethod.Post, $"/api/orders/pvt/document/{seller}/deny-cancellation-request", true, new { cancellationRequestId = request, denyReason = "race" }));
                break;
        }
    }


    /// <summary>What the load left at rest; every count but the first three must be 0.</summary>
    public sealed record Verdict(int Orders, int AcknowledgedTransitions, long LogEntries, int Lost, int Duplicated, long OrdersNoClientSaw, int Disagreeing, int RestingWithoutExit,
        long OrdersWithoutExactlyOneEntryPerTransition, long SellerRowsWithoutState, long PeriodicReminders, long IndexRowsDisagreeing, TimeSpan Convergence, TimeSpan IndexCaughtUp)
    {
        public override string ToString() =>
            $"orders={Orders} acknowledged_transitions={AcknowledgedTransitions} log_entries={LogEntries} lost={Lost} duplicated={Duplicated} orders_no_client_saw={OrdersNoClientSaw} disagreeing={Disagreeing} " +
            $"resting_without_exit={RestingWithoutExit} orders_without_exactly_one_entry_per_transition={OrdersWithoutExactlyOneEntryPerTransition} " +
            $"seller_rows_without_state={SellerRowsWithoutState} periodic_reminders={PeriodicReminders} index_rows_disagreeing_at_rest={IndexRowsDisagreeing} " +
            $"final_convergence_s={Convergence.TotalSeconds:0.0} index_caught_up_s={IndexCaughtUp.TotalSeconds:0.0}";

        public void AssertClean()
        {
            Assert.Equal(0, Lost);
            Assert.Equal(0, Duplicated);
            Assert.Equal(0, OrdersNoClientSaw);
            Assert.Equal(0, Disagreeing);
            Assert.Equal(0, RestingWithoutExit);
            Assert.Equal(0, OrdersWithoutExactlyOneEntryPerTransition);
            Assert.Equal(0, SellerRowsWithoutState);
            Assert.Equal(0, PeriodicReminders);
            Assert.Equal(0, IndexRowsDisagreeing);
            Assert.True(LogEntries >= AcknowledgedTransitions / 2, ToString());
        }
    }

    /// <summary>
    /// At rest: every acknowledged transition is in its order's history exactly once (lost, duplicated), every pair
    /// agrees, none rests without an exit, every seller order has exactly one change-log entry per committed
    /// transition, no order keeps a periodic reminder, and the order index has caught up with the log.
    /// </summary>
    public async Task<Verdict> Check(TestCluster cluster, Postgres postgres, ITestOutputHelper output)
    {
        // Convergence: every marketplace order applies its seller order's last change.
        var grains = await cluster.Grains();
        var converge = Stopwatch.StartNew();
        var pairs = Orders.ToArray();
        var views = new Dictionary<string, (MarketplaceOrderView M, SellerOrderView S)>();
        foreach (var (order, seller) in pairs)
        {
            while (true)
            {
                var m = (await grains.GetGrain<IMarketplaceOrderGrain>(order).GetView())!;
                var s = (await grains.GetGrain<ISellerOrderGrain>(seller).GetView())!;
                if (m.Seller?.Sequence == s.Sequence || converge.Elapsed > TimeSpan.FromSeconds(120))
                {
                    views[order] = (m, s);
                    break;
                }
                await Task.Delay(100);
            }
        }
        var convergence = converge.Elapsed;

        var disagree = views.Values.Count(v => v.M.Seller?.Sequence != v.S.Sequence || MarketplaceOrderDecider.Expected(v.M.Payment, v.S) != v.M.Status);
        var resting = views.Values.Count(v => v.S.Status is SellerOrderStatus.OrderAccepted or SellerOrderStatus.WindowToCancel or SellerOrderStatus.CancellationRequested && v.S.NextDeadline is null);

        // Lost: an acknowledged request whose accepted history line is missing. Duplicated: more accepted lines than requests issued.
        var lost = 0;
        var duplicated = 0;
        var acknowledged = Issued.Count(i => i.Acknowledged) + pairs.Length;
        foreach (var group in Issued.GroupBy(i => (i.OrderId, i.SellerOrderId, i.SellerHistory, i.Command)))
        {
            var history = group.Key.SellerHistory
                ? await grains.GetGrain<ISellerOrderGrain>(group.Key.SellerOrderId).GetHistory()
                : await grains.GetGrain<IMarketplaceOrderGrain>(group.Key.OrderId).GetHistory();
            var applied = history.Count(h => h.Command == group.Key.Command && h.Outcome == CommandOutcome.Accepted);
            lost += Math.Max(0, group.Count(i => i.Acknowledged) - applied);
            duplicated += Math.Max(0, applied - group.Count());
        }
        foreach (var (order, _) in pairs)
        {
            if (await grains.GetGrain<IMarketplaceOrderGrain>(order).GetView() is null) lost++;
        }

        // The change log: every seller order has exactly one entry per committed transition (sequences 1..n, no more, no
        // fewer), and no order keeps a periodic reminder.
        await using var db = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await db.OpenAsync();
        async Task<long> Scalar(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, db);
            return Convert.ToInt64(await command.ExecuteScalarAsync());
        }
        var ordersWithoutExactlyTheirEntries = await Scalar("""
            SELECT count(*) FROM orleans_grain_state_json s
            WHERE s.state_name = 'sellerOrder' AND s.state ? 'sequence'
              AND ((s.state->>'sequence')::bigint IS DISTINCT FROM (
                  SELECT count(DISTINCT l.sequence) FILTER (WHERE l.sequence BETWEEN 1 AND (s.state->>'sequence')::bigint)
                  FROM og_change_log l WHERE l.service_id = s.service_id AND l.order_id = s.state->>'sellerOrderId')
               OR EXISTS (SELECT 1 FROM og_change_log l WHERE l.service_id = s.service_id AND l.order_id = s.state->>'sellerOrderId'
                          AND l.sequence > (s.state->>'sequence')::bigint))
            """);
        var sellerRowsWithoutState = await Scalar("SELECT count(*) FROM orleans_grain_state_json WHERE state_name = 'sellerOrder' AND NOT coalesce(state ? 'sequence', false)");
        var logEntries = await Scalar("SELECT count(*) FROM og_change_log");
        if (ordersWithoutExactlyTheirEntries > 0)
        {
            await using var detail = new Npgsql.NpgsqlCommand($"""
                SELECT s.state->>'sellerOrderId', s.state->>'sequence', s.state->>'status',
                       (SELECT string_agg(l.sequence::text, ',' ORDER BY l.sequence) FROM og_change_log l WHERE l.order_id = s.state->>'sellerOrderId'),
                       (SELECT string_agg(h->>'command' || ':' || (h->>'outcome'), ' ') FROM jsonb_array_elements(s.state->'history') h)
                FROM orleans_grain_state_json s WHERE s.state_name = 'sellerOrder'
                  AND (s.state->>'sequence')::bigint <> (SELECT count(*) FROM og_change_log l WHERE l.order_id = s.state->>'sellerOrderId')
                LIMIT 5
                """, db);
            await using var rows = await detail.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                output.WriteLine($"log mismatch: {rows.GetString(0)} sequence {rows.GetString(1)} {rows.GetString(2)} entries [{(rows.IsDBNull(3) ? "" : rows.GetString(3))}] history {rows.GetString(4)}");
            }
        }
        var reconcileReminders = await Scalar("SELECT count(*) FROM OrleansRemindersTable WHERE ReminderName = 'reconcile'");

        // The order index, projected from the same log: at rest, every seller order of this test has its row at its own
        // sequence and status. (Only this test's orders: other tests of the collection share the database, some with
        // rows written straight into storage under a service id of their own, which no silo indexes.)
        var sellerIds = string.Join(",", pairs.Select(p => $"'{p.Item2}'"));
        long indexDisagreeing;
        var indexWait = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            indexDisagreeing = await Scalar($"""
                SELECT count(*) FROM orleans_grain_state_json s
                WHERE s.state_name = 'sellerOrder' AND s.state ? 'sequence' AND s.state->>'sellerOrderId' IN ({sellerIds})
                  AND NOT EXISTS (SELECT 1 FROM og_order_index i
                                  WHERE i.service_id = s.service_id AND i.seller_order_id = s.state->>'sellerOrderId'
                                    AND i.sequence = (s.state->>'sequence')::bigint AND i.seller_status = s.state->>'status')
                """);
            if (indexDisagreeing == 0 || indexWait.Elapsed > TimeSpan.FromSeconds(60)) break;
            await Task.Delay(200);
        }
        if (indexDisagreeing > 0)
        {
            await using var detail = new Npgsql.NpgsqlCommand($"""
                SELECT s.state->>'sellerOrderId', s.state->>'sequence', s.state->>'status',
                       (SELECT i.sequence || ' ' || i.seller_status || ' indexed ' || i.indexed_at FROM og_order_index i WHERE i.seller_order_id = s.state->>'sellerOrderId'),
                       (SELECT string_agg(l.sequence || '@' || l.partition || ':' || l.txid || '/' || l.position, ',' ORDER BY l.sequence) FROM og_change_log l WHERE l.order_id = s.state->>'sellerOrderId'),
                       (SELECT string_agg(c.consumer || ':' || c.txid || '/' || c.position, ',') FROM og_log_cursor c
                        WHERE c.partition = og_log_partition(s.state->>'marketplaceOrderId'))
                FROM orleans_grain_state_json s
                WHERE s.state_name = 'sellerOrder' AND s.state ? 'sequence' AND s.state->>'sellerOrderId' IN ({sellerIds})
                  AND NOT EXISTS (SELECT 1 FROM og_order_index i
                                  WHERE i.service_id = s.service_id AND i.seller_order_id = s.state->>'sellerOrderId'
                                    AND i.sequence = (s.state->>'sequence')::bigint AND i.seller_status = s.state->>'status')
                LIMIT 5
                """, db);
            await using var rows = await detail.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                output.WriteLine($"index mismatch: {rows.GetString(0)} sequence {rows.GetString(1)} {(rows.IsDBNull(2) ? "no status" : rows.GetString(2))}; index [{(rows.IsDBNull(3) ? "none" : rows.GetString(3))}]; " +
                                 $"log [{(rows.IsDBNull(4) ? "" : rows.GetString(4))}]; cursors [{(rows.IsDBNull(5) ? "" : rows.GetString(5))}]");
            }
        }

        // Placed twice: an order placed during the load that no client was told of (a retry placed another instead).
        var ordersNoClientSaw = await Scalar($"""
            SELECT count(*) FROM og_change_log
            WHERE sequence = 1 AND committed_at >= '{StartedAt.UtcDateTime:O}'::timestamptz AND order_id NOT IN ({sellerIds})
            """);
        return new Verdict(pairs.Length, acknowledged, logEntries, lost, duplicated, ordersNoClientSaw, disagree, resting, ordersWithoutExactlyTheirEntries,
            sellerRowsWithoutState, reconcileReminders, indexDisagreeing, convergence, indexWait.Elapsed);
    }
}
