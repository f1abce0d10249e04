namespace OrderGrains.Domain;

/// <summary>
/// One row of a transition table: in <see cref="From"/>, <see cref="Command"/> may lead to one of
/// <see cref="To"/> (which one depends on the command's data). A pair with no row is rejected.
/// </summary>
public sealed record Transition<TStatus, TCommand>(TStatus From, TCommand Command, IReadOnlyList<TStatus> To, string Rule)
    where TStatus : struct, Enum
    where TCommand : struct, Enum;

/// <summary>The outcome of deciding one command: events to apply, or why nothing changes.</summary>
public sealed record Decision<TEvent, TStatus>(
    CommandOutcome Outcome,
    IReadOnlyList<TEvent> Events,
    TStatus? Target,
    string? Code,
    string Message,
    string? CancellationRequestId = null)
    where TStatus : struct, Enum
{
    public bool IsAccepted => Outcome == CommandOutcome.Accepted;

    public static Decision<TEvent, TStatus> Accept(TStatus target, string message, params TEvent[] events) =>
        new(CommandOutcome.Accepted, events, target, null, message);

    public static Decision<TEvent, TStatus> Replay(string message, string? requestId = null) =>
        new(CommandOutcome.Replayed, [], null, null, message, requestId);

    public static Decision<TEvent, TStatus> Reject(string code, string message) =>
        new(CommandOutcome.Rejected, [], null, code, message);

    public Decision<TEvent, TStatus> WithRequest(string? requestId) => this with { CancellationRequestId = requestId };
}
