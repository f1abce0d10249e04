namespace OrderGrains.Contracts;

/// <summary>
/// An order's stored state cannot be read (a corrupted row): that order answers <see cref="Code"/> and nothing else is
/// affected. Thrown by the grain storage guard when it loads the state; the gateway turns it into a problem.
/// </summary>
[GenerateSerializer, Alias("OrderGrains.OrderStateUnreadableException")]
public sealed class OrderStateUnreadableException : Exception
{
    public const string Code = "ORDER_STATE_UNREADABLE";

    public OrderStateUnreadableException() { }

    public OrderStateUnreadableException(string orderId, string stateName, string error)
        : base($"{Code}: the stored {stateName} state of {orderId} cannot be read ({error}); ops must repair or restore the row")
    {
        OrderId = orderId;
        StateName = stateName;
    }

    /// <summary>The unreadable-state failure in an exception chain, however the cluster carried it (the type, or its message in a fallback).</summary>
    public static string? In(Exception? error) => error switch
    {
        null => null,
        OrderStateUnreadableException => error.Message,
        _ when error.Message.Contains(Code, StringComparison.Ordinal) => error.Message,
        _ => In(error.InnerException),
    };

    [Id(0)] public string OrderId { get; private set; } = "";

    [Id(1)] public string StateName { get; private set; } = "";
}

/// <summary>
/// An order that needs a person, as the ops console lists it: <see cref="Unreadable"/> (its stored state cannot be read;
/// <see cref="Subject"/> names the state) or <see cref="Disagrees"/> (the change log delivered a seller change at a
/// sequence the marketplace order's mirror holds with other content: a wrong delivery was applied before).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrderGrains.OrderAlarm")]
public sealed record OrderAlarm(
    [property: Id(0)] string OrderId, [property: Id(1)] string Kind, [property: Id(2)] string Subject, [property: Id(3)] string Detail, [property: Id(4)] DateTimeOffset SeenAt)
{
    public const string Unreadable = "unreadable", Disagrees = "disagrees";
}
