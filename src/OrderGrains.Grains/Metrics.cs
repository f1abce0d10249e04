using System.Diagnostics.Metrics;
using OrderGrains.Domain;

namespace OrderGrains.Grains;

/// <summary>
/// The service's own instruments (meter <c>OrderGrains</c>), exported with Orleans' (<c>Microsoft.Orleans</c>) at /metrics
/// in Prometheus' format and over OTLP when configured (README: "Metrics and traces"). Names follow OpenTelemetry's
/// conventions; the Prometheus exporter turns <c>ordergrains.commands</c> into <c>ordergrains_commands_total</c>.
/// </summary>
public static class Metrics
{
    public const string MeterName = "OrderGrains";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Every command an order grain decided: <c>order</c> (marketplace, seller), <c>command</c>, <c>outcome</c>.</summary>
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("ordergrains.commands", "{command}", "Commands decided by the order grains, by order kind, command and outcome.");

    /// <summary>Every status change: <c>order</c>, <c>from</c>, <c>to</c>.</summary>
    public static readonly Counter<long> Transitions = Meter.CreateCounter<long>("ordergrains.transitions", "{transition}", "Status changes of orders, by order kind and statuses.");

    public static readonly Histogram<double> DeliveryLag = Meter.CreateHistogram<double>("ordergrains.changelog.delivery_lag", "ms",
        "From a seller change's commit to its delivery to the marketplace order by the change-log reader.");

    public static readonly Histogram<double> IndexLag = Meter.CreateHistogram<double>("ordergrains.index.lag", "ms",
        "From a seller change's commit to its row in the order index (and its feed and hook items).");

    /// <summary>Hook notifications sent: <c>result</c> delivered or failed.</summary>
    public static readonly Counter<long> HookDeliveries = Meter.CreateCounter<long>("ordergrains.hook.deliveries", "{notification}", "Hook notifications POSTed, by result.");

    public static readonly Histogram<double> HookLatency = Meter.CreateHistogram<double>("ordergrains.hook.latency", "ms", "How long a hook receiver took to answer (or to fail).");

    public static void Decided(string order, string command, CommandOutcome outcome, string from, string to)
    {
        Commands.Add(1, new("order", order), new("command", command), new("outcome", OutcomeTag(outcome)));
        if (from != to) Transitions.Add(1, new("order", order), new("from", from), new("to", to));
    }

    /// <summary>The outcome as its tag value (constant strings: no allocation per command).</summary>
    private static string OutcomeTag(CommandOutcome outcome) => outcome switch
    {
        CommandOutcome.Accepted => "accepted",
        CommandOutcome.Replayed => "replayed",
        CommandOutcome.Rejected => "rejected",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
