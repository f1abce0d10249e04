using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Api.Shapes;

public sealed record PlacedOrderResponse(string OrderId, string SellerOrderId, string SellerId, long Value);

public sealed record PlaceOrderResponse(string OrderGroup, string Outcome, IReadOnlyList<PlacedOrderResponse> Orders);

/// <summary>VTEX's <c>{date, orderId, receipt}</c> plus what happened.</summary>
public sealed record CommandResponse(
    DateTimeOffset Date, string OrderId, string Receipt, string Outcome, string Status, string? CancellationRequestId, string Message);

public sealed record HistoryEntryResponse(
    DateTimeOffset Date, string Actor, string Command, string Outcome, string FromStatus, string ToStatus, string? Code, string Reason);

public sealed record CancellationDataResponse(
    bool RequestedByUser, bool RequestedBySystem, bool RequestedBySellerNotification, bool RequestedByPaymentNotification,
    string? Reason, DateTimeOffset? CancellationDate);

public sealed record CancellationRequestResponse(
    string Id, string Reason, DateTimeOffset CancellationRequestDate, string? RequestedByUser, string RequestedBy,
    bool DeniedBySeller, string? DeniedBySellerReason, DateTimeOffset? CancellationRequestDenyDate,
    string Outcome, DateTimeOffset Deadline, DateTimeOffset? DecidedAt);

public sealed record CourierStatusResponse(bool Finished, DateTimeOffset? DeliveredDate, IReadOnlyList<TrackingEvent> Data);

public sealed record PackageResponse(
    string Type, string InvoiceNumber, long InvoiceValue, DateTimeOffset IssuanceDate, IReadOnlyList<InvoiceItem> Items,
    string? Courier, string? TrackingNumber, string? TrackingUrl, DateTimeOffset? DispatchedDate, CourierStatusResponse? CourierStatus);

public sealed record PackageAttachmentResponse(IReadOnlyList<PackageResponse> Packages);

public sealed record ItemResponse(string Id, int Quantity, long Price);

/// <summary>An order in VTEX's shape (GET /api/oms/pvt/orders/{orderId}); statuses are VTEX's strings.</summary>
public sealed record OrderResponse(
    string OrderId,
    string Status,
    string MarketplaceOrderId,
    string SellerOrderId,
    string Origin,
    string? OrderGroup,
    string SellerId,
    long Sequence,
    long Value,
    IReadOnlyList<ItemResponse> Items,
    DateTimeOffset CreationDate,
    DateTimeOffset? LastChange,
    bool AllowCancellation,
    bool WorkflowIsInError,
    CancellationDataResponse? CancellationData,
    IReadOnlyList<CancellationRequestResponse> CancellationRequests,
    PackageAttachmentResponse PackageAttachment,
    string? SellerStatus,
    long? SellerSequence,
    DateTimeOffset? NextDeadline)
{
    public static OrderResponse From(MarketplaceOrderView m) => new(
        m.MarketplaceOrderId, m.Status.Vtex(), m.MarketplaceOrderId, m.SellerOrderId, "Marketplace", m.OrderGroup, m.SellerId,
        m.Sequence, m.Value, ItemsOf(m.Items), m.PlacedAt, m.LastChange, !m.Status.IsFinal(), m.WorkflowIsInError,
        m.Seller is null ? null : Cancellation(m.Seller), Requests(m.Seller), Packages(m.Seller),
        m.Seller?.Status.Vtex(), m.Seller?.Sequence, m.Seller?.NextDeadline);

    public static OrderResponse From(SellerOrderView s, string? orderGroup) => new(
        s.SellerOrderId, s.Status.Vtex(), s.MarketplaceOrderId, s.SellerOrderId, "Fulfillment", orderGroup, s.SellerId,
        s.Sequence, s.Value, ItemsOf(s.Items), s.PlacedAt, s.LastChange, !s.Status.IsFinal(), false,
        Cancellation(s), Requests(s), Packages(s), s.Status.Vtex(), s.Sequence, s.NextDeadline);

    private static IReadOnlyList<ItemResponse> ItemsOf(IReadOnlyList<OrderItem> items) => [.. items.Select(i => new ItemResponse(i.SkuId, i.Quantity, i.Price))];

    private static CancellationDataResponse? Cancellation(SellerOrderView s) => s.CanceledBy is not { } by ? null : new(
        RequestedByUser: by == Actor.Customer, RequestedBySystem: by == Actor.System,
        RequestedBySellerNotification: by == Actor.Seller, RequestedByPaymentNotification: s.CancellationReason == "payment denied",
        s.CancellationReason, s.CanceledAt);

    private static IReadOnlyList<CancellationRequestResponse> Requests(SellerOrderView? s) => s is null ? [] : [.. s.CancellationRequests.Select(r => new CancellationRequestResponse(
        r.Id, r.Reason, r.RequestedAt, r.RequestedByUser, r.RequestedBy.Vtex(),
        r.Outcome == RequestOutcome.Denied, r.Outcome == RequestOutcome.Denied ? r.DecisionReason : null,
        r.Outcome == RequestOutcome.Denied ? r.DecidedAt : null,
        System.Text.Json.JsonSerializer.Serialize(r.Outcome).Trim('"'), r.Deadline, r.DecidedAt))];

    private static PackageAttachmentResponse Packages(SellerOrderView? s) => new(s is null ? [] : [.. s.Invoices.Select(i => new PackageResponse(
        i.Type.ToString(), i.InvoiceNumber, i.Value, i.IssuanceDate, i.Items, i.Courier, i.TrackingNumber, i.TrackingUrl, i.DispatchedDate,
        s.Tracking.TryGetValue(i.InvoiceNumber, out var t) ? new CourierStatusResponse(t.IsDelivered, t.DeliveredDate, t.Events) : null))]);
}
