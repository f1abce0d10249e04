using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Http;
using OrderGrains.Api.Shapes;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using static OrderGrains.Api.Endpoints.EndpointSupport;

namespace OrderGrains.Api.Endpoints;

/// <summary>/api/oms/pvt/orders: place, read, history, payment, start handling, cancel.</summary>
public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/oms/pvt/orders").WithTags("Orders");

        orders.MapPost("/", PlaceOrder).Allow(Role.Marketplace).Idempotent()
            .Accepts<PlaceOrderRequest>("application/json").Produces<PlaceOrderResponse>(StatusCodes.Status201Created)
            .WithSummary("Place an order group; it is split into one marketplace order (and one seller order) per seller.");
        orders.MapGet("/{orderId}", GetOrder).Allow(Role.Marketplace, Role.Seller, Role.Ops)
            .Produces<OrderResponse>().WithSummary("An order (marketplace or seller order id) in VTEX's shape; ETag is its version.");
        orders.MapGet("/{orderId}/history", GetHistory).Allow(Role.Marketplace, Role.Seller, Role.Ops)
            .Produces<HistoryEntryResponse[]>().WithSummary("Every command the order received, accepted or not, with actor, time, outcome and reason.");
        orders.MapPost("/{orderId}/payment-notification", PaymentNotification).Allow(Role.Marketplace).Idempotent()
            .Accepts<PaymentNotificationRequest>("application/json").Produces<CommandResponse>()
            .WithSummary("The payment gateway's answer: approved authorizes fulfilment, denied cancels.");
        orders.MapPost("/{orderId}/payments/{paymentId}/payment-notification", VtexPaymentNotification).Allow(Role.Marketplace).Idempotent()
            .Produces<CommandResponse>()
            .WithSummary("VTEX's payment notification: the payment was approved (no body); the same as payment-notification with status approved.");
        orders.MapPost("/{orderId}/start-handling", StartHandling).Allow(Role.Seller).Idempotent()
            .Produces(StatusCodes.Status204NoContent).WithSummary("The seller starts handling (409 OMS003 unless ready-for-handling).");
        orders.MapPost("/{orderId}/cancel", Cancel).Allow(Role.Marketplace, Role.Seller).Idempotent()
            .Accepts<CancelRequest>("application/json").Produces<CommandResponse>()
            .WithSummary("Cancel: applied at once inside the window, otherwise a cancellation request opens (its id is returned).");
        return app;
    }

    /// <summary>
    /// The id of a group sent without one: derived from the request's Idempotency-Key (and the AppKey) when it has one,
    /// so that a retry which runs again — its first attempt's gateway died after placing the orders but before the
    /// answer was recorded, and the key's lease ran out — finds the group it placed (200 replayed) instead of placing a
    /// second one. Without a key, a new random id.
    /// </summary>
    public static string NewGroupId(HttpContext http) =>
        http.Request.Headers[IdempotencyMiddleware.Header].ToString() is { Length: > 0 } key
            ? "v" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{http.Caller().AppKey}\n{key}")))[..12]
            : "v" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<IResult> PlaceOrder(HttpContext http, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<PlaceOrderRequest>(http.Request);
        if (problem is not null) return problem;

        var group = request!.OrderGroup ?? NewGroupId(http);
        var items = request.Items!.Select(i => new GroupItem(i.SellerOf!, i.Sku!, i.Quantity!.Value, i.Price!.Value)).ToList();
        // One grain call per seller order (no order-group grain in between): the marketplace orders keep the group's digest.
        var reply = await OrderGroups.Place(grains, group, new PlaceOrderGroup(request.AffiliateId ?? "SLR", items, http.Caller().Account!, request.Document()));
        if (reply.Outcome == CommandOutcome.Rejected)
        {
            // The group id is taken (by other content, or by another account): a conflict, not a leak of its orders.
            return Problems.Rejected(reply.Code ?? RejectionCodes.OrderAlreadyExists, $"order group {group} already exists", null);
        }
        var body = new PlaceOrderResponse(reply.OrderGroup, reply.Outcome == CommandOutcome.Accepted ? "accepted" : "replayed",
            [.. reply.Orders.Select(o => new PlacedOrderResponse(o.OrderId, o.SellerOrderId, o.SellerId, o.Value))]);
        return reply.Outcome == CommandOutcome.Accepted
            ? Results.Json(body, statusCode: StatusCodes.Status201Created)
            : Results.Json(body);
    }

    private static async Task<IResult> GetOrder(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        var (order, problem) = await Locate(http, locator, orderId, withDocument: true);
        if (problem is not null) return problem;

        http.Response.Headers.ETag = ETag(order!.Version);
        var context = order.Read is { } read ? Context(http, read.Document) : await Context(http, grains, order.MarketplaceOrderId);
        if (!order.AddressedIsSeller)
        {
            return Results.Json(OrderResponse.From(order.Marketplace!, context));
        }
        // Seller orders keep their group since the order index came; older ones ask their marketplace order.
        var group = order.Seller!.OrderGroup.Length > 0 ? order.Seller.OrderGroup
            : (order.Marketplace ?? await grains.MarketplaceOrder(order.MarketplaceOrderId).GetView())?.OrderGroup;
        return Results.Json(OrderResponse.From(order.Seller, group, order.Marketplace?.AuthorizedDate, context));
    }

    private static async Task<IResult> GetHistory(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        var (order, problem) = await Locate(http, locator, orderId);
        if (problem is not null) return problem;

        var history = order!.AddressedIsSeller
            ? await grains.SellerOrder(order.SellerOrderId).GetHistory()
            : await grains.MarketplaceOrder(order.MarketplaceOrderId).GetHistory();
        return Results.Json(history.Select(h => new HistoryEntryResponse(
            h.At, h.Actor.Vtex(), h.Command, h.Outcome.ToString().ToLowerInvariant(), h.FromStatus, h.ToStatus, h.Code, h.Reason)));
    }

    private static async Task<IResult> PaymentNotification(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<PaymentNotificationRequest>(http.Request);
        if (problem is not null) return problem;
        var approved = request!.Status == "approved";
        return await OnMarketplaceOrder(http, grains, locator, orderId, (order, access) => approved ? order.ApprovePayment(access) : order.DenyPayment(access));
    }

    /// <summary>VTEX's path carries no body (one may be sent; it is not read): the notification means the payment was approved.</summary>
    private static Task<IResult> VtexPaymentNotification(string orderId, string paymentId, HttpContext http, OrderLocator locator, IGrainFactory grains) =>
        Checks.IdPattern().IsMatch(paymentId)
            ? OnMarketplaceOrder(http, grains, locator, orderId, (order, access) => order.ApprovePayment(access))
            : Task.FromResult(Problems.BadRequest("The payment id is malformed.",
                new Dictionary<string, string[]> { ["paymentId"] = ["must be 1-64 characters of letters, digits, '.', '_' or '-'"] }));

    private static Task<IResult> StartHandling(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains) =>
        OnSellerOrder(http, grains, locator, orderId, (order, access) => order.StartHandling(access), StatusCodes.Status204NoContent);

    private static async Task<IResult> Cancel(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<CancelRequest>(http.Request);
        if (problem is not null) return problem;

        var reason = string.IsNullOrWhiteSpace(request!.Reason) ? "canceled through the API" : request.Reason;
        if (http.Caller().Role == Role.Seller)
        {
            return await OnSellerOrder(http, grains, locator, orderId, (order, access) => order.Cancel(Actor.Seller, reason, request.AskedBy, access));
        }
        // VTEX's requestedByUser: true means the customer asked: the marketplace relays a customer's cancellation.
        var by = request.ByCustomer ? Actor.Customer : Actor.Marketplace;
        return await OnMarketplaceOrder(http, grains, locator, orderId, (order, access) => order.Cancel(by, reason, request.AskedBy, access));
    }
}
