using Orleans.Runtime;
using Orleans.Storage;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// In memory, what migrations/0001_schema.sql's <c>orleans_storage_write</c> does on PostgreSQL: a seller order's state write and its
/// change-log entry happen together (one process, one lock).
/// </summary>
public sealed class ChangeLogStorage(IGrainStorage inner, MemoryChangeLog log) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (grainState.State is SellerOrderState seller)
        {
            log.Append(seller);
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
