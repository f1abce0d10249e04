using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Http;
using OrderGrains.Api.Shapes;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using static OrderGrains.Api.Endpoints.EndpointSupport;

namespace OrderGrains.Api.Endpoints;

/// <summary>/api/orders/pvt/document/{orderId}/…-cancellation-request: the decisions on an open cancellation request.</summary>
public static class CancellationRequestsApi
{
    public static IEndpointRouteBuilder MapCancellationRequestsApi(this IEndpointRouteBuilder app)
    {
        var requests = app.MapGroup("/api/orders/pvt/document/{orderId}").WithTags("Cancellation requests");

        requests.MapPost("/deny-cancellation-request", Deny).Allow(Role.Seller).Idempotent()
            .Accepts<CancellationRequestDecision>("application/json").Produces<CommandResponse>()
            .WithSummary("The seller denies a request (its own request is withdrawn instead).");
        requests.MapPost("/accept-cancellation-request", Accept).Allow(Role.Seller).Idempotent()
            .Accepts<CancellationRequestDecision>("application/json").Produces<CommandResponse>()
            .WithSummary("The seller accepts a request (or confirms its own): the order is canceled.");
        requests.MapPost("/withdraw-cancellation-request", Withdraw).Allow(Role.Marketplace, Role.Seller).Idempotent()
            .Accepts<CancellationRequestDecision>("application/json").Produces<CommandResponse>()
            .WithSummary("The requester takes its request back; the order resumes the status it interrupted.");
        return app;
    }

    private static Task<IResult> Deny(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains) =>
        Decide(orderId, http, locator, grains, (order, request, access) => order.DenyCancellationRequest(request.CancellationRequestId!, request.DenyReason, access));

    private static Task<IResult> Accept(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains) =>
        Decide(orderId, http, locator, grains, (order, request, access) => order.AcceptCancellationRequest(request.CancellationRequestId!, access));

    private static async Task<IResult> Withdraw(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (http.Caller().Role == Role.Seller)
        {
            return await Decide(orderId, http, locator, grains, (order, request, access) =>
                order.WithdrawCancellationRequest(Actor.Seller, request.CancellationRequestId!, access));
        }
        var (request, problem) = await JsonBody.Read<CancellationRequestDecision>(http.Request);
        if (problem is not null) return problem;
        return await OnMarketplaceOrder(http, grains, locator, orderId, (order, access) =>
            order.WithdrawCancellationRequest(Actor.Marketplace, request!.CancellationRequestId!, access));
    }

    private static async Task<IResult> Decide(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains,
        Func<ISellerOrderGrain, CancellationRequestDecision, Access, Task<SellerReply>> decide)
    {
        var (request, problem) = await JsonBody.Read<CancellationRequestDecision>(http.Request);
        if (problem is not null) return problem;
        return await OnSellerOrder(http, grains, locator, orderId, (order, access) => decide(order, request!, access));
    }
}
