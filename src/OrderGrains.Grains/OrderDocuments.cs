using OrderGrains.Domain.Documents;

namespace OrderGrains.Grains;

/// <summary>
/// Where order documents rest once placed (never changed after). The placing write of a marketplace order files its
/// document in the same transaction as the order's first state row (<c>orleans_storage_write</c> in
/// migrations/0006_order_documents.sql; <see cref="MemoryOrderStorage"/> in memory); this only reads them.
/// </summary>
public interface IOrderDocuments
{
    /// <summary>The document of a marketplace order, or null for an unknown order or one placed before documents existed.</summary>
    Task<OrderDocument?> Get(string marketplaceOrderId, CancellationToken cancellationToken = default);
}
