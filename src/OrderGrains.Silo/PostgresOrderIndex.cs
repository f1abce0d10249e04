using System.Text;
using Npgsql;
using NpgsqlTypes;
using OrderGrains.Contracts;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>
/// The order index on PostgreSQL (<c>og_order_index</c>, migrations/0004_order_index.sql). A batch of rows is one upsert
/// that keeps the higher sequence; a query is one statement built from the filters it has (so each shape gets its own plan).
/// </summary>
public sealed class PostgresOrderIndex(NpgsqlDataSource dataSource, string serviceId) : IOrderIndex
{
    public async Task Apply(IReadOnlyList<IndexedOrder> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return;
        await using var command = dataSource.CreateCommand("""
            INSERT INTO og_order_index AS o (service_id, seller_order_id, marketplace_order_id, order_group, account, seller_id,
                marketplace_status, seller_status, value, total_items, creation_date, last_change, has_input_invoice, sequence, logged_at, indexed_at)
            SELECT $1, r.*, now() FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::bigint[], $10::integer[], $11::timestamptz[], $12::timestamptz[], $13::boolean[], $14::bigint[], $15::timestamptz[]) AS r
            ON CONFLICT (service_id, seller_order_id) DO UPDATE SET
                marketplace_order_id = EXCLUDED.marketplace_order_id, order_group = EXCLUDED.order_group, account = EXCLUDED.account,
                seller_id = EXCLUDED.seller_id, marketplace_status = EXCLUDED.marketplace_status, seller_status = EXCLUDED.seller_status,
                value = EXCLUDED.value, total_items = EXCLUDED.total_items, creation_date = EXCLUDED.creation_date,
                last_change = EXCLUDED.last_change, has_input_invoice = EXCLUDED.has_input_invoice, sequence = EXCLUDED.sequence,
                logged_at = EXCLUDED.logged_at, indexed_at = EXCLUDED.indexed_at
            WHERE o.sequence < EXCLUDED.sequence
            """);
        command.Parameters.Add(new() { Value = serviceId });
        Add(command, rows, r => r.SellerOrderId, NpgsqlDbType.Text);
        Add(command, rows, r => r.MarketplaceOrderId, NpgsqlDbType.Text);
        Add(command, rows, r => r.OrderGroup, NpgsqlDbType.Text);
        Add(command, rows, r => r.Account, NpgsqlDbType.Text);
        Add(command, rows, r => r.SellerId, NpgsqlDbType.Text);
        Add(command, rows, r => r.MarketplaceStatus, NpgsqlDbType.Text);
        Add(command, rows, r => r.SellerStatus, NpgsqlDbType.Text);
        Add(command, rows, r => r.Value, NpgsqlDbType.Bigint);
        Add(command, rows, r => r.TotalItems, NpgsqlDbType.Integer);
        Add(command, rows, r => r.CreationDate.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(command, rows, r => r.LastChange?.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(command, rows, r => r.HasInputInvoice, NpgsqlDbType.Boolean);
        Add(command, rows, r => r.Sequence, NpgsqlDbType.Bigint);
        Add(command, rows, r => r.LoggedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Add<T>(NpgsqlCommand command, IReadOnlyList<IndexedOrder> rows, Func<IndexedOrder, T> value, NpgsqlDbType type) =>
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type });

    public async Task<OrderPage> Query(OrderQuery q, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder("""
            SELECT marketplace_order_id, seller_order_id, order_group, account, seller_id, marketplace_status, seller_status, value,
                   total_items, creation_date, last_change, has_input_invoice, sequence, logged_at, indexed_at, count(*) OVER () AS total
            FROM og_order_index WHERE service_id = $1
            """);
        command.Parameters.Add(new() { Value = serviceId });
        string Param(object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + command.Parameters.Count;
        }
        if (q.Account is not null) sql.Append(" AND account = ").Append(Param(q.Account, NpgsqlDbType.Text));
        if (q.SellerId is not null) sql.Append(" AND seller_id = ").Append(Param(q.SellerId, NpgsqlDbType.Text));
        if (q.Statuses.Count > 0)
        {
            var statuses = Param(q.Statuses.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            sql.Append($" AND (marketplace_status = ANY({statuses}) OR seller_status = ANY({statuses}))");
        }
        if (q.CreatedFrom is { } from) sql.Append(" AND creation_date >= ").Append(Param(from.UtcDateTime, NpgsqlDbType.TimestampTz));
        if (q.CreatedTo is { } to) sql.Append(" AND creation_date <= ").Append(Param(to.UtcDateTime, NpgsqlDbType.TimestampTz));
        if (q.HasInputInvoice is { } input) sql.Append(" AND has_input_invoice = ").Append(Param(input, NpgsqlDbType.Boolean));
        if (q.OrderGroup is not null) sql.Append(" AND order_group = ").Append(Param(q.OrderGroup, NpgsqlDbType.Text));
        if (q.Text is not null)
        {
            var like = Param("%" + q.Text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%", NpgsqlDbType.Text);
            sql.Append($" AND (marketplace_order_id ILIKE {like} OR seller_order_id ILIKE {like} OR order_group ILIKE {like})");
        }
        var direction = q.Descending ? "DESC" : "ASC";
        var column = q.Sort switch
        {
            OrderSort.OrderId => q.SellerId is not null ? "seller_order_id" : "marketplace_order_id",
            OrderSort.TotalValue => "value",
            OrderSort.Items => "total_items",
            OrderSort.LastChange => "coalesce(last_change, creation_date)",
            _ => "creation_date",
        };
        sql.Append($" ORDER BY {column} {direction}, seller_order_id {direction}");
        sql.Append(" LIMIT ").Append(Param(q.PerPage, NpgsqlDbType.Integer));
        sql.Append(" OFFSET ").Append(Param((q.Page - 1) * q.PerPage, NpgsqlDbType.Integer));
        command.CommandText = sql.ToString();

        var orders = new List<IndexedOrder>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(new IndexedOrder(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetInt64(7), reader.GetInt32(8), reader.GetFieldValue<DateTimeOffset>(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10), reader.GetBoolean(11), reader.GetInt64(12),
                reader.GetFieldValue<DateTimeOffset>(13), reader.GetFieldValue<DateTimeOffset>(14)));
            total = reader.GetInt64(15);
        }
        if (orders.Count == 0 && q.Page > 1)
        {
            // Past the last page: the window function saw no row, so count separately for VTEX's paging.
            total = await Count(q, cancellationToken);
        }
        return new OrderPage(orders, total);
    }

    private async Task<long> Count(OrderQuery q, CancellationToken cancellationToken) =>
        (await Query(q with { Page = 1, PerPage = 1 }, cancellationToken)).Total;
}
