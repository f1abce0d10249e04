namespace OrderGrains.Contracts;

/// <summary>
/// One Idempotency-Key of one caller (key: "{appKey}/{idempotencyKey}"). Remembers the request's hash and,
/// once it finished, the response, so a retry gets the first answer and never a second transition.
/// </summary>
[Alias("OrderGrains.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>Claims the key for a request with this hash, or says why not.</summary>
    [Alias("Begin")] Task<IdempotencyClaim> Begin(string requestHash);

    [Alias("Complete")] Task Complete(string requestHash, StoredResponse response);

    /// <summary>The request failed without an answer worth replaying (a 5xx): the key may be used again.</summary>
    [Alias("Abandon")] Task Abandon(string requestHash);
}

[GenerateSerializer]
public enum IdempotencyClaimKind
{
    /// <summary>First use (or an expired/abandoned one): go ahead, then Complete.</summary>
    Claimed,
    /// <summary>The same request already finished: replay <see cref="IdempotencyClaim.Response"/>.</summary>
    Completed,
    /// <summary>The same request is still running.</summary>
    InProgress,
    /// <summary>The key was used for a different request.</summary>
    Mismatch,
}

[GenerateSerializer, Immutable, Alias("OrderGrains.IdempotencyClaim")]
public sealed record IdempotencyClaim([property: Id(0)] IdempotencyClaimKind Kind, [property: Id(1)] StoredResponse? Response);

[GenerateSerializer, Immutable, Alias("OrderGrains.StoredResponse")]
public sealed record StoredResponse(
    [property: Id(0)] int StatusCode,
    [property: Id(1)] string? ContentType,
    [property: Id(2)] byte[] Body,
    [property: Id(3)] string? ETag,
    [property: Id(4)] string? Location);
