using OrderGrains.Contracts;

namespace OrderGrains.Grains;

/// <summary>An order group as a grain (tests, the benchmark, the readiness probe): <see cref="OrderGroups.Place"/> in the cluster.</summary>
public sealed class OrderGroupGrain : Grain, IOrderGroupGrain
{
    public async Task<OrderGroupReply> Place(PlaceOrderGroup command)
    {
        var reply = await OrderGroups.Place(GrainFactory, this.GetPrimaryKeyString(), command);
        DeactivateOnIdle(); // nothing to keep: one activation per sale instead of three
        return reply;
    }

    public Task Ping() => Task.CompletedTask;
}
