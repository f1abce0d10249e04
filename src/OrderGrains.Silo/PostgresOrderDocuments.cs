using System.Text.Json;
using Npgsql;
using OrderGrains.Domain;
using OrderGrains.Domain.Documents;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>Order documents on PostgreSQL (<c>og_order_document</c>, migrations/0006_order_documents.sql): one point read by key.</summary>
public sealed class PostgresOrderDocuments(NpgsqlDataSource dataSource, string serviceId) : IOrderDocuments
{
    public async Task<OrderDocument?> Get(string marketplaceOrderId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT document::text FROM og_order_document WHERE service_id = $1 AND order_id = $2");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = marketplaceOrderId });
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? JsonSerializer.Deserialize<OrderDocument>(json, DomainJson.Options) : null;
    }
}
