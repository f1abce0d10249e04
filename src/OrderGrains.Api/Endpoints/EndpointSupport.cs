using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Http;
using OrderGrains.Api.Shapes;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;

namespace OrderGrains.Api.Endpoints;

/// <summary>What every order endpoint does the same way: roles, locating the order, If-Match, answering.</summary>
public static partial class EndpointSupport
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex OrderIdPattern();

    /// <summary>Only these roles may call the endpoint; others get 403.</summary>
    public static TBuilder Allow<TBuilder>(this TBuilder builder, params Role[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var caller = context.HttpContext.Caller();
            return roles.Contains(caller.Role)
                ? await next(context)
                : Problems.Result(StatusCodes.Status403Forbidden, "FORBIDDEN",
                    $"{Capitalized(Article(caller.Role))} key may not do this; it needs {string.Join(" or ", roles.Select(Article))} key.");
        });

    /// <summary>"a seller", "an ops", "a marketplace": the role with its article.</summary>
    public static string Article(Role role)
    {
        var name = role.ToString().ToLowerInvariant();
        return ("aeiou".Contains(name[0]) ? "an " : "a ") + name;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    public static TBuilder Idempotent<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotentAttribute());

    /// <summary>The order the URL names, if this caller may see it; otherwise the problem to answer.</summary>
    public static async Task<(LocatedOrder? Order, IResult? Problem)> Locate(HttpContext http, OrderLocator locator, string orderId)
    {
        if (!OrderIdPattern().IsMatch(orderId))
        {
            return (null, Problems.Result(StatusCodes.Status400BadRequest, "INVALID_ORDER_ID", "An order id is 1-128 characters of letters, digits, '.', '_' or '-'."));
        }
        var order = await locator.Find(http.Caller(), orderId);
        return order is null
            ? (null, Problems.Result(StatusCodes.Status404NotFound, RejectionCodes.OrderNotFound, $"No order {orderId}."))
            : (order, null);
    }

    /// <summary>The first two steps of every command with a body: read and check it, then find the order.</summary>
    public static async Task<(T? Request, LocatedOrder? Order, IResult? Problem)> ReadAndLocate<T>(HttpContext http, OrderLocator locator, string orderId)
        where T : class, IValidatable
    {
        var (request, bodyProblem) = await JsonBody.Read<T>(http.Request);
        if (bodyProblem is not null) return (null, null, bodyProblem);
        var (order, problem) = await Locate(http, locator, orderId);
        return (request, order, problem);
    }

    /// <summary>
    /// Applies If-Match. When the command runs on the addressed order, the check travels with the call and runs
    /// inside the grain (atomic). When it runs on the other order of the pair, it is checked here against what was just read.
    /// </summary>
    public static IResult? IfMatch(HttpContext http, LocatedOrder order, string targetOrderId)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        if (header.Length == 0 || header == "*") return null;
        if (!long.TryParse(header.Trim().TrimStart('W', '/').Trim('"'), out var expected))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "INVALID_IF_MATCH", "If-Match must be an ETag from GET, like \"7\".");
        }
        if (targetOrderId == order.AddressedId)
        {
            VersionGuard.Expect(targetOrderId, expected);
            return null;
        }
        return expected == order.Version ? null : Problems.Rejected(RejectionCodes.VersionMismatch,
            $"If-Match names version {expected}, the order is at version {order.Version}", null);
    }

    public static string ETag(long version) => $"\"{version}\"";

    public static IResult Answer(string orderId, SellerReply reply, int status = StatusCodes.Status200OK) =>
        Answer(orderId, reply.Outcome, reply.Code, reply.Message, reply.CancellationRequestId, reply.Seller?.Status.Vtex(), status);

    public static IResult Answer(string orderId, MarketplaceReply reply, int status = StatusCodes.Status200OK) =>
        Answer(orderId, reply.Outcome, reply.Code, reply.Message, reply.CancellationRequestId, reply.Order?.Status.Vtex(), status);

    private static IResult Answer(string orderId, CommandOutcome outcome, string? code, string message, string? requestId, string? status, int okStatus)
    {
        if (outcome == CommandOutcome.Rejected)
        {
            return Problems.Rejected(code ?? RejectionCodes.TransitionNotAllowed, message, status);
        }
        if (okStatus == StatusCodes.Status204NoContent)
        {
            return Results.NoContent();
        }
        var body = new CommandResponse(DateTimeOffset.UtcNow, orderId, Guid.NewGuid().ToString("N"),
            outcome == CommandOutcome.Accepted ? "accepted" : "replayed", status ?? "unknown", requestId, message);
        return Results.Json(body, statusCode: okStatus);
    }
}
