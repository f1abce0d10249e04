using Orleans.Concurrency;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// The order index: one row per order pair, projected from the change log by the partition readers (the same batch that
/// reaches the marketplace orders, before the cursor moves), so it is behind the log by at most one batch plus a wake-up.
/// Applying an entry is idempotent and never goes back: a row is replaced only by a higher sequence.
/// </summary>
public interface IOrderIndex
{
    Task Apply(IReadOnlyList<IndexedOrder> rows, CancellationToken cancellationToken = default);

    Task<OrderPage> Query(OrderQuery query, CancellationToken cancellationToken = default);
}

public static class OrderIndexProjection
{
    /// <summary>The newest row per order of a batch (a batch may carry several entries of one order).</summary>
    public static IReadOnlyList<IndexedOrder> Rows(IReadOnlyList<LogEntry> batch, DateTimeOffset now) =>
        [.. batch.GroupBy(e => e.OrderId).Select(g => From(g.MaxBy(e => e.Sequence)!, now))];

    public static IndexedOrder From(LogEntry entry, DateTimeOffset now)
    {
        var s = entry.Seller;
        return new IndexedOrder(s.MarketplaceOrderId, s.SellerOrderId, s.OrderGroup.Length > 0 ? s.OrderGroup : GroupOf(s.MarketplaceOrderId),
            s.Account, s.SellerId, MarketplaceOrderDecider.Expected(PaymentStatus.Pending, s).Vtex(), s.Status.Vtex(), s.Value,
            s.Items.Sum(i => i.Quantity), s.PlacedAt, s.LastChange, s.Invoices.Any(i => i.Type == InvoiceType.Input), s.Sequence,
            entry.LoggedAt == default ? now : entry.LoggedAt, now);
    }

    /// <summary>Orders placed before seller orders kept their group: the group is the marketplace order id without its <c>-NN</c>.</summary>
    private static string GroupOf(string marketplaceOrderId) =>
        marketplaceOrderId.LastIndexOf('-') is var dash and > 0 ? marketplaceOrderId[..dash] : marketplaceOrderId;
}

/// <summary>The order index in memory (Development profile, tests): a dictionary, filtered and sorted per query.</summary>
public sealed class MemoryOrderIndex : IOrderIndex
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, IndexedOrder> rows = [];

    public Task Apply(IReadOnlyList<IndexedOrder> batch, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            foreach (var row in batch)
            {
                if (!rows.TryGetValue(row.SellerOrderId, out var current) || current.Sequence < row.Sequence)
                {
                    rows[row.SellerOrderId] = row;
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<OrderPage> Query(OrderQuery q, CancellationToken cancellationToken = default)
    {
        List<IndexedOrder> matching;
        lock (gate)
        {
            matching = [.. rows.Values.Where(r =>
                (q.Account is null || r.Account == q.Account)
                && (q.SellerId is null || r.SellerId == q.SellerId)
                && (q.Statuses.Count == 0 || q.Statuses.Contains(r.MarketplaceStatus) || q.Statuses.Contains(r.SellerStatus))
                && (q.CreatedFrom is null || r.CreationDate >= q.CreatedFrom)
                && (q.CreatedTo is null || r.CreationDate <= q.CreatedTo)
                && (q.HasInputInvoice is null || r.HasInputInvoice == q.HasInputInvoice)
                && (q.OrderGroup is null || r.OrderGroup == q.OrderGroup)
                && (q.Text is null || Contains(r.MarketplaceOrderId, q.Text) || Contains(r.SellerOrderId, q.Text) || Contains(r.OrderGroup, q.Text)))];
        }
        var sellerView = q.SellerId is not null;
        IOrderedEnumerable<IndexedOrder> sorted = q.Sort switch
        {
            OrderSort.OrderId => Order(matching, r => sellerView ? r.SellerOrderId : r.MarketplaceOrderId, q.Descending),
            OrderSort.TotalValue => Order(matching, r => r.Value, q.Descending),
            OrderSort.Items => Order(matching, r => r.TotalItems, q.Descending),
            OrderSort.LastChange => Order(matching, r => r.LastChange ?? r.CreationDate, q.Descending),
            _ => Order(matching, r => r.CreationDate, q.Descending),
        };
        sorted = q.Descending ? sorted.ThenByDescending(r => r.SellerOrderId, StringComparer.Ordinal) : sorted.ThenBy(r => r.SellerOrderId, StringComparer.Ordinal);
        return Task.FromResult(new OrderPage([.. sorted.Skip((q.Page - 1) * q.PerPage).Take(q.PerPage)], matching.Count));
    }

    private static IOrderedEnumerable<IndexedOrder> Order<T>(List<IndexedOrder> rows, Func<IndexedOrder, T> key, bool descending) =>
        descending ? rows.OrderByDescending(key) : rows.OrderBy(key);

    private static bool Contains(string value, string part) => value.Contains(part, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Answers index queries inside the cluster, on any silo (the gateway needs no database connection of its own).</summary>
[StatelessWorker]
public sealed class OrderIndexGrain(IOrderIndex index) : Grain, IOrderIndexGrain
{
    public Task<OrderPage> Query(OrderQuery query) => index.Query(query);
}
