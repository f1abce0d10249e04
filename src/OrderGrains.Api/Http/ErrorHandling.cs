using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrderGrains.Api.Http;

/// <summary>
/// Turns exceptions into problem details: malformed requests are 400/413, a cluster that cannot answer for a
/// moment is 503 with Retry-After, anything else is a 500 that says nothing about the code.
/// </summary>
public static partial class ErrorHandling
{
    public const int RetryAfterSeconds = 2;

    public static IApplicationBuilder UseOrderGrainsErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OrderGrains.Api");
            switch (error)
            {
                case not null when Contracts.OrderStateUnreadableException.In(error) is { } message:
                    // One order's stored state is corrupt: a stable answer for that order, one line in the log (no stack).
                    LogUnreadable(log, context.Request.Path, message);
                    await Problems.Write(context, StatusCodes.Status409Conflict, Contracts.OrderStateUnreadableException.Code,
                        "This order's stored state cannot be read; operations has been told (the ops console lists it). Other orders are not affected.");
                    break;
                case BadHttpRequestException bad:
                    await Problems.Write(context, bad.StatusCode, bad.StatusCode == 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", "The request could not be read.");
                    break;
                case not null when IsClusterUnavailable(error):
                    LogUnavailable(log, error.GetType().Name, context.Request.Path);
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
                    await Problems.Write(context, StatusCodes.Status503ServiceUnavailable, "CLUSTER_UNAVAILABLE",
                        $"The order cluster cannot answer right now; retry in {RetryAfterSeconds} s (with the same Idempotency-Key).");
                    break;
                default:
                    LogUnexpected(log, error, context.Request.Path);
                    await Problems.Write(context, StatusCodes.Status500InternalServerError, "INTERNAL_ERROR",
                        $"Unexpected error; trace id {context.TraceIdentifier}.");
                    break;
            }
        }));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    /// <summary>Silo down, gateway lost, call timed out, database unreachable: transient conditions of the cluster, not of the request.</summary>
    public static bool IsClusterUnavailable(Exception error) =>
        error is TimeoutException or Orleans.Runtime.OrleansException or OperationCanceledException
            or System.Data.Common.DbException or System.Net.Sockets.SocketException
        || error.GetType().Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true
        || (error.InnerException is { } inner && IsClusterUnavailable(inner));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable ({Error}) for {Path}: answered 503")]
    private static partial void LogUnavailable(ILogger logger, string error, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error for {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception? exception, string path);
}
