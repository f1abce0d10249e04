namespace OrderGrains.Contracts;

/// <summary>
/// Carries an HTTP <c>If-Match</c> to the order grain it names, through the Orleans request context, so the
/// version check runs inside the grain's turn (no check-then-act race in the gateway).
/// </summary>
public static class VersionGuard
{
    private const string Key = "ordergrains-if-match";

    public static void Expect(string orderId, long sequence) => RequestContext.Set(Key, $"{orderId}|{sequence}");

    /// <summary>The expected version if the current call carries one for <paramref name="orderId"/>; consumed so calls this grain makes don't inherit it.</summary>
    public static long? Take(string orderId)
    {
        if (RequestContext.Get(Key) is not string value) return null;
        var bar = value.LastIndexOf('|');
        if (bar < 0 || value[..bar] != orderId || !long.TryParse(value[(bar + 1)..], out var sequence)) return null;
        RequestContext.Remove(Key);
        return sequence;
    }
}
