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
        invoices.MapPatch("/{invoiceNumber}", UpdateInvoice).Allow(Role.Seller).Idempotent()
            .Accepts<UpdateInvoiceRequest>("application/json").Produces<CommandResponse>()
            .WithSummary("VTEX's update of an invoice's shipping details (tracking number, URL, courier, dispatch date); the status does not change.");
        invoices.MapPut("/{invoiceNumber}/tracking", Tracking).Allow(Role.Seller).Idempotent()
            .Accepts<TrackingRequest>("application/json").Produces<CommandResponse>()
            .WithSummary("Tracking and delivery of an invoice; the status does not change.");
        return app;
    }

    private static async Task<IResult> Invoice(string orderId, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        var (request, problem) = await JsonBody.Read<InvoiceRequest>(http.Request);
        if (problem is not null) return problem;

        var invoice = new Invoice(request!.InvoiceNumber!, request.Cents!.Value, request.IssuanceDate ?? DateTimeOffset.UtcNow,
            [.. (request.Items ?? []).Select(i => new InvoiceItem(i.Id!, i.Quantity!.Value, i.Price!.Value, i.Description))],
            NullIfEmpty(request.Courier), NullIfEmpty(request.TrackingNumber), NullIfEmpty(request.TrackingUrl),
            request.IsReturn ? InvoiceType.Input : InvoiceType.Output, request.DispatchedDate);
        return await OnSellerOrder(http, grains, locator, orderId, (order, access) => order.Invoice(invoice, access));
    }

    private static async Task<IResult> UpdateInvoice(string orderId, string invoiceNumber, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (TooLong(invoiceNumber) is { } tooLong) return tooLong;
        var (request, problem) = await JsonBody.Read<UpdateInvoiceRequest>(http.Request);
        if (problem is not null) return problem;

        var shipping = new InvoiceShipping(NullIfEmpty(request!.Courier), NullIfEmpty(request.TrackingNumber), NullIfEmpty(request.TrackingUrl), request.DispatchedDate);
        return await OnSellerOrder(http, grains, locator, orderId, (order, access) => order.UpdateInvoice(invoiceNumber, shipping, access));
    }

    /// <summary>VTEX asks for <c>""</c> where a value is not known yet: an empty string records nothing.</summary>
    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static IResult? TooLong(string invoiceNumber) => invoiceNumber.Length > 64
        ? Problems.BadRequest("The invoice number is too long.", new Dictionary<string, string[]> { ["invoiceNumber"] = ["must be at most 64 characters"] })
        : null;

    private static async Task<IResult> Tracking(string orderId, string invoiceNumber, HttpContext http, OrderLocator locator, IGrainFactory grains)
    {
        if (TooLong(invoiceNumber) is { } tooLong) return tooLong;
        var (request, problem) = await JsonBody.Read<TrackingRequest>(http.Request);
        if (problem is not null) return problem;

        var tracking = new TrackingUpdate(request!.IsDelivered!.Value, request.DeliveredDate,
            [.. (request.Events ?? []).Select(e => new TrackingEvent(e.City, e.State, e.Description, e.Date))]);
        return await OnSellerOrder(http, grains, locator, orderId, (order, access) => order.UpdateTracking(invoiceNumber, tracking, access));
    }
}
