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

/// <summary>/api/oms/pvt/orders/{orderId}/invoice: the seller's invoices and their tracking.</summary>
public static class InvoicesApi
{
    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder app)
    {
        var invoices = app.MapGroup("/api/oms/pvt/orders/{orderId}/invoice").WithTags("Invoices");

        invoices.MapPost("/", Invoice).Allow(Role.Seller).Idempotent()
            .Accepts<InvoiceRequest>("application/json").Produces<CommandResponse>()
            .WithSummary("VTEX's invoice notification (cents). Invoices summing to the total invoice the order; the same number twice is idempotent.");
        invoices.MapPut("/{invoiceNumber}/tracking", Tracking).Allow(Role.Seller).Idempotent()
            .Accepts<TrackingRequest>("application/json").Produces<CommandResponse>()
            .WithSummary("Tracking and delivery of an invoice; the status does not change.");
        return app;
    }

    private static async Task<IResult> Invoice(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<InvoiceRequest>(http.Request);
        if (problem is not null) return problem;

        var invoice = new Invoice(request!.InvoiceNumber!, request.InvoiceValue!.Value, request.IssuanceDate ?? DateTimeOffset.UtcNow,
            [.. (request.Items ?? []).Select(i => new InvoiceItem(i.Id!, i.Quantity!.Value, i.Price!.Value))],
            request.Courier, request.TrackingNumber, request.TrackingUrl);
        return await OnSellerOrder(http, grains, locator, orderId, (order, access) => order.Invoice(invoice, access));
    }

    private static async Task<IResult> Tracking(string orderId, string invoiceNumber, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (invoiceNumber.Length > 64)
        {
            return Problems.BadRequest("The invoice number is too long.", new Dictionary<string, string[]> { ["invoiceNumber"] = ["must be at most 64 characters"] });
        }
        var (request, problem) = await JsonBody.Read<TrackingRequest>(http.Request);
        if (problem is not null) return problem;

        var tracking = new TrackingUpdate(request!.IsDelivered!.Value, request.DeliveredDate,
            [.. (request.Events ?? []).Select(e => new TrackingEvent(e.City, e.State, e.Description, e.Date))]);
        return await OnSellerOrder(http, grains, locator, orderId, (order, access) => order.UpdateTracking(invoiceNumber, tracking, access));
    }
}
