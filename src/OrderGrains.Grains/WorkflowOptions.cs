using OrderGrains.Domain;

namespace OrderGrains.Grains;

/// <summary>The <c>Workflow</c> configuration section: how long each waiting status may last.</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "Workflow";

    /// <summary>Grace period after payment approval in which any cancel applies at once (VTEX: 30 minutes).</summary>
    public TimeSpan CancellationWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a cancellation request waits for a decision before it cancels the order (VTEX: 30 days).</summary>
    public TimeSpan CancellationRequestDeadline { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a seller order waits for fulfilment authorization before it is canceled (VTEX: 30 days).</summary>
    public TimeSpan AuthorizationDeadline { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an Idempotency-Key answers with its first response (at least 24 hours).</summary>
    public TimeSpan IdempotencyKeyRetention { get; set; } = TimeSpan.FromHours(24);

    public WorkflowTimings Timings => new(CancellationWindow, CancellationRequestDeadline, AuthorizationDeadline);
}

/// <summary>
/// The clock the workflow reads (deadlines, history times, the deadline sweep): the silo's <see cref="TimeProvider"/>
/// unless a test registers its own under this key — a fake clock for the workflow only, not for Orleans' timers and
/// messaging.
/// </summary>
public static class WorkflowClock
{
    public const string Key = "ordergrains-workflow";
}
