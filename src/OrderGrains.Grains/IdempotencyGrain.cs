using Microsoft.Extensions.Options;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

public sealed class IdempotencyGrain(
    [PersistentState("idempotency", StorageNames.Orders)] IPersistentState<IdempotencyState> state,
    IOptions<WorkflowOptions> options,
    TimeProvider time) : Grain, IIdempotencyGrain
{
    /// <summary>A claim older than this with no answer belongs to a request that died (crash, timeout): it may be retried.</summary>
    private static readonly TimeSpan InProgressLease = TimeSpan.FromMinutes(1);

    public async Task<IdempotencyClaim> Begin(string requestHash)
    {
        var now = time.GetUtcNow();
        var s = state.State;
        var expired = s.RequestHash is null
            || now - s.CreatedAt > options.Value.IdempotencyKeyRetention
            || (s.Response is null && now - s.ClaimedAt > InProgressLease);
        if (!expired)
        {
            if (s.RequestHash != requestHash) return new IdempotencyClaim(IdempotencyClaimKind.Mismatch, null);
            return s.Response is null
                ? new IdempotencyClaim(IdempotencyClaimKind.InProgress, null)
                : new IdempotencyClaim(IdempotencyClaimKind.Completed, s.Response);
        }

        state.State = new IdempotencyState { RequestHash = requestHash, CreatedAt = now, ClaimedAt = now };
        await state.WriteStateAsync();
        return new IdempotencyClaim(IdempotencyClaimKind.Claimed, null);
    }

    public async Task Complete(string requestHash, StoredResponse response)
    {
        if (state.State.RequestHash == requestHash && state.State.Response is null)
        {
            state.State.Response = response;
            await state.WriteStateAsync();
        }
    }

    public async Task Abandon(string requestHash)
    {
        if (state.State.RequestHash == requestHash && state.State.Response is null)
        {
            await state.ClearStateAsync();
            state.State = new IdempotencyState();
        }
    }
}

[GenerateSerializer, Alias("OrderGrains.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string? RequestHash { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public DateTimeOffset ClaimedAt { get; set; }
    [Id(3)] public StoredResponse? Response { get; set; }
}
