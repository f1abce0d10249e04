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

/// <summary>What every order endpoint does the same way: roles, locating the order, commands with their caller and If-Match, answering.</summary>
public static partial class EndpointSupport
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex OrderIdPattern();

    /// <summary>
    /// Only these roles may call the endpoint; others get 403, from <see cref="ApiKeyMiddleware"/> as it authenticates the key
    /// (before rate limits, idempotency and the endpoint: no endpoint filter runs on every call).
    /// </summary>
    public static TBuilder Allow<TBuilder>(this TBuilder builder, params Role[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AllowedRoles(roles));

    public static TBuilder Idempotent<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotentAttribute());

    /// <summary>The order the URL names, if this caller may see it; otherwise the problem to answer.</summary>
    public static async Task<(LocatedOrder? Order, IResult? Problem)> Locate(HttpContext http, OrderLocator locator, string orderId, bool withDocument = false)
    {
        if (CheckOrderId(orderId) is { } badId) return (null, badId);
        var order = withDocument ? await locator.FindWithDocument(http.Caller(), orderId) : await locator.Find(http.Caller(), orderId);
        return order is null ? (null, OrderNotFound(orderId)) : (order, null);
    }

    /// <summary>An order id the URL may carry, or the 400 to answer.</summary>
    public static IResult? CheckOrderId(string orderId) => OrderIdPattern().IsMatch(orderId) ? null
        : Problems.Result(StatusCodes.Status400BadRequest, "INVALID_ORDER_ID", "An order id is 1-128 characters of letters, digits, '.', '_' or '-'.");

    /// <summary>The version <c>If-Match</c> names (null for none or <c>*</c>), or the 400 to answer.</summary>
    public static (long? Expected, IResult? Problem) ExpectedVersion(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        if (header.Length == 0 || header == "*") return (null, null);
        return long.TryParse(header.Trim().TrimStart('W', '/').Trim('"'), out var expected)
            ? (expected, null)
            : (null, Problems.Result(StatusCodes.Status400BadRequest, "INVALID_IF_MATCH", "If-Match must be an ETag from GET, like \"7\"."));
    }

    /// <summary>
    /// A command the seller order decides, sent by a seller: one grain call when the URL names the seller order id (the
    /// common case) — tenancy and If-Match travel as <see cref="Access"/> and are checked in the grain's turn. When the
    /// URL names the marketplace order id, the order is located first and If-Match is checked against the version read.
    /// </summary>
    public static async Task<IResult> OnSellerOrder(HttpContext http, IGrainFactory grains, OrderLocator locator, string orderId,
        Func<ISellerOrderGrain, Access, Task<SellerReply>> command, int okStatus = StatusCodes.Status200OK)
    {
        if (CheckOrderId(orderId) is { } badId) return badId;
        var (expected, badIfMatch) = ExpectedVersion(http);
        if (badIfMatch is not null) return badIfMatch;
        var sellerId = http.Caller().SellerId!;

        var reply = await command(grains.SellerOrder(orderId), Access.OfSeller(sellerId, expected));
        if (!NotFound(reply.Outcome, reply.Code, reply.Seller is null)) return Answer(orderId, reply, okStatus);

        if (await locator.Find(http.Caller(), orderId) is not { AddressedIsSeller: false } located) return OrderNotFound(orderId);
        if (expected is { } version && version != located.Version) return VersionMismatch(version, located.Version);
        return Answer(orderId, await command(grains.SellerOrder(located.SellerOrderId), Access.OfSeller(sellerId)), okStatus);
    }

    /// <summary>
    /// A command on the marketplace order, sent by a marketplace: one grain call when the URL names the marketplace order
    /// id (the common case), as <see cref="OnSellerOrder"/> does for sellers.
    /// </summary>
    public static async Task<IResult> OnMarketplaceOrder(HttpContext http, IGrainFactory grains, OrderLocator locator, string orderId,
        Func<IMarketplaceOrderGrain, Access, Task<MarketplaceReply>> command)
    {
        if (CheckOrderId(orderId) is { } badId) return badId;
        var (expected, badIfMatch) = ExpectedVersion(http);
        if (badIfMatch is not null) return badIfMatch;
        var account = http.Caller().Account!;

        var reply = await command(grains.MarketplaceOrder(orderId), Access.OfMarketplace(account, expected));
        if (!NotFound(reply.Outcome, reply.Code, reply.Order is null)) return Answer(orderId, reply);

        if (await locator.Find(http.Caller(), orderId) is not { AddressedIsSeller: true } located) return OrderNotFound(orderId);
        if (expected is { } version && version != located.Version) return VersionMismatch(version, located.Version);
        return Answer(orderId, await command(grains.MarketplaceOrder(located.MarketplaceOrderId), Access.OfMarketplace(account)));
    }

    /// <summary>The grain said "no such order for this caller" (not a rejection on an order it has).</summary>
    private static bool NotFound(CommandOutcome outcome, string? code, bool withoutView) =>
        outcome == CommandOutcome.Rejected && code == RejectionCodes.OrderNotFound && withoutView;

    private static IResult OrderNotFound(string orderId) =>
        Problems.Result(StatusCodes.Status404NotFound, RejectionCodes.OrderNotFound, $"No order {orderId}.");

    private static IResult VersionMismatch(long expected, long actual) =>
        Problems.Rejected(RejectionCodes.VersionMismatch, $"If-Match names version {expected}, the order is at version {actual}", null);

    public static string ETag(long version) => $"\"{version}\"";

    /// <summary>An order's document (from its marketplace order), the service's base URL, and how much personal data the caller sees.</summary>
    public static async Task<OrderContext> Context(HttpContext http, IGrainFactory grains, string marketplaceOrderId) =>
        Context(http, await grains.MarketplaceOrder(marketplaceOrderId).GetDocument());

    public static OrderContext Context(HttpContext http, Domain.Documents.OrderDocument? document) =>
        new(document, $"{http.Request.Scheme}://{http.Request.Host}", PersonalData.ViewOf(http.Caller()));

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
