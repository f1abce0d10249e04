using System.Text.Json.Serialization;
using OrderGrains.Contracts;
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

/// <summary>
/// One order in VTEX's List orders shape (every member VTEX's schema requires). What the order index does not hold yet
/// (customer, payment names, shipping estimates, sales channel) is null.
/// </summary>
public sealed record OrderListItemResponse(
    string OrderId,
    DateTimeOffset CreationDate,
    string? ClientName,
    object? Items,
    long TotalValue,
    string? PaymentNames,
    string Status,
    string StatusDescription,
    string? MarketPlaceOrderId,
    string Sequence,
    string? SalesChannel,
    string AffiliateId,
    string Origin,
    bool WorkflowInErrorState,
    bool WorkflowInRetry,
    string? LastMessageUnread,
    [property: JsonPropertyName("ShippingEstimatedDate")] DateTimeOffset? ShippingEstimatedDate,
    [property: JsonPropertyName("ShippingEstimatedDateMax")] DateTimeOffset? ShippingEstimatedDateMax,
    [property: JsonPropertyName("ShippingEstimatedDateMin")] DateTimeOffset? ShippingEstimatedDateMin,
    bool OrderIsComplete,
    string? ListId,
    string? ListType,
    DateTimeOffset? AuthorizedDate,
    string? CallCenterOperatorName,
    int TotalItems,
    string? CurrencyCode,
    DateTimeOffset? LastChange,
    string SellerOrderId,
    string SellerStatus,
    string OrderGroup)
{
    /// <summary>A marketplace (or ops) key sees marketplace orders; a seller key its seller orders.</summary>
    public static OrderListItemResponse From(IndexedOrder o, bool sellerView)
    {
        var status = sellerView ? o.SellerStatus : o.MarketplaceStatus;
        return new(sellerView ? o.SellerOrderId : o.MarketplaceOrderId, o.CreationDate, null, null, o.Value, null, status, Describe(status),
            sellerView ? o.MarketplaceOrderId : null, o.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            AffiliateOf(o), sellerView ? "Fulfillment" : "Marketplace", false, false, null, null, null, null, true, null, null, null, null,
            o.TotalItems, null, o.LastChange, o.SellerOrderId, o.SellerStatus, o.OrderGroup);
    }

    /// <summary>The seller order id is <c>{affiliateId}-{orderId}</c> (domain.md §1).</summary>
    private static string AffiliateOf(IndexedOrder o) =>
        o.SellerOrderId.EndsWith("-" + o.MarketplaceOrderId, StringComparison.Ordinal) ? o.SellerOrderId[..^(o.MarketplaceOrderId.Length + 1)] : "";

    public static string Describe(string status) => status switch
    {
        "payment-pending" => "Payment pending",
        "payment-approved" => "Payment approved",
        "waiting-for-seller-decision" => "Waiting for the seller's decision on a cancellation",
        "order-accepted" => "Order accepted, waiting for payment",
        "window-to-cancel" => "Window to cancel",
        "ready-for-handling" => "Ready for handling",
        "handling" => "Handling",
        "cancellation-requested" => "Cancellation requested",
        "invoiced" => "Invoiced",
        "canceled" => "Canceled",
        _ => status,
    };
}

public sealed record PagingResponse(long Total, int Pages, int CurrentPage, int PerPage);

/// <summary>VTEX's <c>stats</c>: OrderGrains computes no statistics over a list (the member is there, empty).</summary>
public sealed record StatsResponse(IReadOnlyDictionary<string, object> Stats);

/// <summary>VTEX's List orders answer: <c>list</c>, <c>facets</c> (none), <c>paging</c>, <c>stats</c>.</summary>
public sealed record OrderListResponse(IReadOnlyList<OrderListItemResponse> List, IReadOnlyList<object> Facets, PagingResponse Paging, StatsResponse Stats);
