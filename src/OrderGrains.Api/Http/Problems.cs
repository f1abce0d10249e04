using Microsoft.AspNetCore.Http;
using OrderGrains.Domain;

namespace OrderGrains.Api.Http;

/// <summary>
/// RFC 9457 problem details with a stable <c>code</c> extension, and VTEX's <c>error: {code, message, exception}</c> member
/// with the same code and text, so clients written for either read them. Never a stack trace (<c>exception</c> is always null).
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>VTEX's error object.</summary>
    public sealed record VtexError(string Code, string Message, string? Exception);

    public static IResult Result(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            Telemetry.Unavailable.Add(1); // every 503 the gateway answers is one of these (cluster unavailable, overloaded, seller unavailable)
        }
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>())
        {
            ["code"] = code,
            ["error"] = new VtexError(code, detail, null),
        };
        // ASP.NET Core fills "type" for the statuses it knows; 429 is not one of them.
        var type = status == StatusCodes.Status429TooManyRequests ? "https://tools.ietf.org/html/rfc6585#section-4" : null;
        return Results.Problem(statusCode: status, title: Title(status), detail: detail, type: type, extensions: ext);
    }

    public static Task Write(HttpContext context, int status, string code, string detail, IDictionary<string, object?>? extensions = null) =>
        Result(status, code, detail, extensions).ExecuteAsync(context);

    /// <summary>A rejected command: 409 unless the code says the client sent something wrong or the order is unknown.</summary>
    public static IResult Rejected(string code, string message, string? currentStatus) =>
        Result(StatusFor(code), code, message, currentStatus is null ? null : new Dictionary<string, object?> { ["orderStatus"] = currentStatus });

    public static int StatusFor(string code) => code switch
    {
        // The request was well formed; what it names does not exist on this order (another order's request id included).
        RejectionCodes.OrderNotFound or RejectionCodes.CancellationRequestNotFound or RejectionCodes.InvoiceNotFound => StatusCodes.Status404NotFound,
        RejectionCodes.InvalidCommand or RejectionCodes.InvoiceExceedsTotal => StatusCodes.Status400BadRequest,
        RejectionCodes.VersionMismatch => StatusCodes.Status412PreconditionFailed,
        RejectionCodes.SellerUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status409Conflict,
    };

    public static IResult BadRequest(string detail, IDictionary<string, string[]> errors) =>
        Result(StatusCodes.Status400BadRequest, "INVALID_REQUEST", detail, new Dictionary<string, object?> { ["errors"] = errors });

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        412 => "Precondition failed",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Unprocessable content",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "Error",
    };
}
