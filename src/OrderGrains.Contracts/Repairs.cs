using OrderGrains.Domain;

namespace OrderGrains.Contracts;

/// <summary>
/// Who repairs and why: an ops-admin key and the reason it gave. Every repair that takes effect leaves one audit line in the
/// order's history (actor <c>ops</c>, command <c>ops-…</c>, who, why, what changed), written with the change itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.Repair")]
public sealed record Repair([property: Id(0)] string Operator, [property: Id(1)] string Reason)
{
    public string Audit(string whatChanged) => $"{Operator}: {Reason} — {whatChanged}";
}

/// <summary>
/// A repair's answer: <see cref="Outcome"/> accepted (it took effect, one audit line), replayed (nothing to repair: no line),
/// rejected (the table has no such move, or nothing is due: <see cref="Code"/> says which; no line).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.RepairReply")]
public sealed record RepairReply(
    [property: Id(0)] CommandOutcome Outcome,
    [property: Id(1)] string? Code,
    [property: Id(2)] string Message,
    [property: Id(3)] string FromStatus,
    [property: Id(4)] string ToStatus);
