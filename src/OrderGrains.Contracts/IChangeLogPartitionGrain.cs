using Orleans.Concurrency;

namespace OrderGrains.Contracts;

/// <summary>
/// The reader of one partition of the change log (key = partition number): reads committed seller-order changes in
/// order, in batches, delivers each to its marketplace order (<see cref="IMarketplaceOrderGrain.Deliver"/>) and then
/// moves its cursor once per batch. One activation per partition in the whole cluster (Orleans' single activation).
/// </summary>
[Alias("OrderGrains.IChangeLogPartitionGrain")]
public interface IChangeLogPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>A hint that something was appended: read now instead of at the next idle poll. May be lost; the poll is the backstop.</summary>
    [Alias("Wake"), OneWay, AlwaysInterleave] Task Wake();

    /// <summary>Activates the reader if it is not running; returns how far it has delivered (log position).</summary>
    [Alias("Status")] Task<long> Status();
}
