namespace OrderGrains.Domain;

/// <summary>Stable, machine-readable rejection codes. Never rename one: clients match on them.</summary>
public static class RejectionCodes
{
    /// <summary>VTEX's own code for "order status should be ready-for-handling".</summary>
    public const string NotReadyForHandling = "OMS003";
    public const string TransitionNotAllowed = "TRANSITION_NOT_ALLOWED";
    public const string OrderIsFinal = "ORDER_IS_FINAL";
    public const string OrderNotFound = "ORDER_NOT_FOUND";
    public const string OrderAlreadyExists = "ORDER_ALREADY_EXISTS";
    public const string CancellationRequestNotFound = "CANCELLATION_REQUEST_NOT_FOUND";
    public const string CancellationRequestClosed = "CANCELLATION_REQUEST_CLOSED";
    public const string NotTheRequester = "NOT_THE_REQUESTER";
    public const string InvoiceNumberConflict = "INVOICE_NUMBER_CONFLICT";
    public const string InvoiceExceedsTotal = "INVOICE_EXCEEDS_TOTAL";
    public const string InvoiceNotFound = "INVOICE_NOT_FOUND";
    public const string DeadlineNotReached = "DEADLINE_NOT_REACHED";
    public const string InvalidCommand = "INVALID_COMMAND";
    public const string SellerUnavailable = "SELLER_UNAVAILABLE";
    /// <summary>An If-Match precondition named another version of the order.</summary>
    public const string VersionMismatch = "VERSION_MISMATCH";
}

public sealed record Rejection(string Code, string Message);
