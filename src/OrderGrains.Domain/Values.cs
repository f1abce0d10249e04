using System.Text.Json.Serialization;

namespace OrderGrains.Domain;

public sealed record OrderItem(string SkuId, int Quantity, long Price);

public sealed record InvoiceItem(string SkuId, int Quantity, long Price, string? Description = null);

/// <summary>VTEX's invoice types: <c>Output</c> sells (it moves the order towards invoiced), <c>Input</c> records a return.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InvoiceType>))]
public enum InvoiceType
{
    [JsonStringEnumMemberName("Output")] Output,
    [JsonStringEnumMemberName("Input")] Input,
}

/// <summary>An invoice the seller issued; <see cref="Value"/> is in cents.</summary>
public sealed record Invoice(
    string InvoiceNumber,
    long Value,
    DateTimeOffset IssuanceDate,
    IReadOnlyList<InvoiceItem> Items,
    string? Courier = null,
    string? TrackingNumber = null,
    string? TrackingUrl = null,
    InvoiceType Type = InvoiceType.Output,
    DateTimeOffset? DispatchedDate = null)
{
    /// <summary>Same number, type, value and items: sending it again is a replay. Shipping details may change (PATCH).</summary>
    public bool SameContentAs(Invoice other) =>
        InvoiceNumber == other.InvoiceNumber && Type == other.Type && Value == other.Value && Items.SequenceEqual(other.Items);
}

/// <summary>VTEX's PATCH of an invoice: the shipping details the seller learns after invoicing (null leaves a field as it is).</summary>
public sealed record InvoiceShipping(string? Courier, string? TrackingNumber, string? TrackingUrl, DateTimeOffset? DispatchedDate);

public sealed record TrackingEvent(string? City, string? State, string? Description, DateTimeOffset? Date);

public sealed record TrackingUpdate(bool IsDelivered, DateTimeOffset? DeliveredDate, IReadOnlyList<TrackingEvent> Events);

[JsonConverter(typeof(JsonStringEnumConverter<RequestOutcome>))]
public enum RequestOutcome
{
    [JsonStringEnumMemberName("open")] Open,
    [JsonStringEnumMemberName("accepted")] Accepted,
    [JsonStringEnumMemberName("denied")] Denied,
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,
    [JsonStringEnumMemberName("answered-by-invoice")] AnsweredByInvoice,
    [JsonStringEnumMemberName("canceled-at-deadline")] CanceledAtDeadline,
    [JsonStringEnumMemberName("agreed-by-counterparty")] AgreedByCounterparty,
}

/// <summary>
/// A cancellation request at the seller. It always has an owner (<see cref="RequestedBy"/>),
/// a deadline and, once closed, an outcome: there is no request without an exit.
/// </summary>
public sealed record CancellationRequest(
    string Id,
    Actor RequestedBy,
    string? RequestedByUser,
    string Reason,
    DateTimeOffset RequestedAt,
    DateTimeOffset Deadline,
    SellerOrderStatus InterruptedStatus,
    RequestOutcome Outcome = RequestOutcome.Open,
    Actor? DecidedBy = null,
    string? DecisionReason = null,
    DateTimeOffset? DecidedAt = null)
{
    [JsonIgnore] public bool IsOpen => Outcome == RequestOutcome.Open;
}

/// <summary>One line of an order's history: every command, accepted or not, lands here.</summary>
public sealed record HistoryEntry(
    DateTimeOffset At,
    Actor Actor,
    string Command,
    CommandOutcome Outcome,
    string FromStatus,
    string ToStatus,
    string? Code,
    string Reason);

[JsonConverter(typeof(JsonStringEnumConverter<CommandOutcome>))]
public enum CommandOutcome
{
    /// <summary>The command changed the order.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>The command repeated one already applied; the earlier outcome is returned, nothing changes.</summary>
    [JsonStringEnumMemberName("replayed")] Replayed,
    /// <summary>The transition table does not allow the command in the current status (or a guard failed).</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
}

/// <summary>How long each waiting status may last before its default outcome.</summary>
public sealed record WorkflowTimings(
    TimeSpan CancellationWindow,
    TimeSpan CancellationRequestDeadline,
    TimeSpan AuthorizationDeadline)
{
    public static WorkflowTimings Vtex { get; } = new(TimeSpan.FromMinutes(30), TimeSpan.FromDays(30), TimeSpan.FromDays(30));
}
