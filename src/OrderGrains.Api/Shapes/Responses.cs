using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.Documents;
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

/// <summary>VTEX's <c>cancellationData</c>, with VTEX's PascalCase member names.</summary>
public sealed record CancellationDataResponse(
    [property: JsonPropertyName("RequestedByUser")] bool RequestedByUser,
    [property: JsonPropertyName("RequestedBySystem")] bool RequestedBySystem,
    [property: JsonPropertyName("RequestedBySellerNotification")] bool RequestedBySellerNotification,
    [property: JsonPropertyName("RequestedByPaymentNotification")] bool RequestedByPaymentNotification,
    [property: JsonPropertyName("Reason")] string? Reason,
    [property: JsonPropertyName("CancellationDate")] DateTimeOffset? CancellationDate);

public sealed record CancellationRequestResponse(
    string Id, string Reason, DateTimeOffset CancellationRequestDate, string? RequestedByUser, string RequestedBy,
    bool DeniedBySeller, string? DeniedBySellerReason, DateTimeOffset? CancellationRequestDenyDate,
    string Outcome, DateTimeOffset Deadline, DateTimeOffset? DecidedAt);

/// <summary>A tracking event in VTEX's shape (members the seller did not send are left out).</summary>
public sealed record CourierEventResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? City,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? CreateDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? LastChange);

public sealed record CourierStatusResponse(
    string? Status, bool Finished,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeliveredDate,
    IReadOnlyList<CourierEventResponse> Data);

/// <summary>A package line: VTEX's <c>itemIndex</c> (the item's position in the order) and the SKU <c>id</c> as sent.</summary>
public sealed record PackageItemResponse(int ItemIndex, string Id, int Quantity, long Price, string? Description);

public sealed record PackageResponse(
    string Type, string InvoiceNumber, long InvoiceValue, DateTimeOffset IssuanceDate, IReadOnlyList<PackageItemResponse> Items,
    string? Courier, string? TrackingNumber, string? TrackingUrl, string? InvoiceUrl, string? InvoiceKey, string? Cfop,
    DateTimeOffset? DispatchedDate, CourierStatusResponse? CourierStatus);

public sealed record PackageAttachmentResponse(IReadOnlyList<PackageResponse> Packages);

public sealed record TotalResponse(string Id, string Name, long Value, IReadOnlyList<TotalResponse>? AlternativeTotals = null);

public sealed record SellerResponse(string Id, string Name, string? Logo, string FulfillmentEndpoint);

public sealed record MarketplaceResponse(string BaseURL, bool? IsCertified, string Name);

public sealed record TrackingHintResponse(string TrackingId, string CourierName, string TrackingUrl, string TrackingLabel);

/// <summary>What Get order needs besides the order's state: its document, where the service is, and how much the caller may see.</summary>
public sealed record OrderContext(OrderDocument? Document, string BaseUrl, PersonalDataView View);

/// <summary>
/// An order in VTEX's Get order shape (GET /api/oms/pvt/orders/{orderId}): VTEX's 54 top-level members with VTEX's names and
/// types (<c>OrderDocumentTests</c> checks every answer against the schema in VTEX's own spec and lists what is missing), and
/// OrderGrains' own after them (<c>cancellationRequests</c>, <c>sellerStatus</c>, <c>sellerSequence</c>, <c>nextDeadline</c>).
/// <c>sequence</c> is the order's version as a string (its ETag). Members VTEX has but OrderGrains keeps nothing for are null
/// where VTEX allows null and empty where VTEX has a list; document parts an order was placed without are left out.
/// </summary>
public sealed record OrderResponse(
    string OrderId,
    string Sequence,
    string MarketplaceOrderId,
    string MarketplaceServicesEndpoint,
    string SellerOrderId,
    string Origin,
    string AffiliateId,
    string SalesChannel,
    string? MerchantName,
    string Status,
    bool WorkflowIsInError,
    string StatusDescription,
    long Value,
    DateTimeOffset CreationDate,
    DateTimeOffset LastChange,
    string? OrderGroup,
    string? LastMessage,
    string Hostname,
    bool IsCompleted,
    long RoundingError,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OrderFormId,
    bool AllowCancellation,
    bool AllowEdition,
    bool IsCheckedIn,
    DateTimeOffset? AuthorizedDate,
    DateTimeOffset? InvoicedDate,
    string? CancelReason,
    string? CheckedInPickupPointId,
    IReadOnlyList<TotalResponse> Totals,
    IReadOnlyList<SellerResponse> Sellers,
    object ClientPreferencesData,
    CancellationDataResponse? CancellationData,
    object? TaxData,
    object? SubscriptionData,
    object ItemMetadata,
    MarketplaceResponse Marketplace,
    object StorePreferencesData,
    object? CustomData,
    string? CommercialConditionData,
    object? OpenTextField,
    object? InvoiceData,
    object? ChangesAttachment,
    object? CallCenterOperatorData,
    PackageAttachmentResponse PackageAttachment,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? PaymentData,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? ShippingData,
    object RatesAndBenefitsData,
    object? MarketingData,
    object? GiftRegistryData,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? ClientProfileData,
    object Items,
    IReadOnlyList<object> MarketplaceItems,
    IReadOnlyList<object> AuthorizationPolicyData,
    IReadOnlyList<CancellationRequestResponse> CancellationRequests,
    string SellerId,
    string? SellerStatus,
    long? SellerSequence,
    DateTimeOffset? NextDeadline)
{
    /// <summary>Document parts are written without their null members (VTEX's types have no nulls there).</summary>
    private static readonly JsonSerializerOptions Parts = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static OrderResponse From(MarketplaceOrderView m, OrderContext context) => Build(
        m.MarketplaceOrderId, "Marketplace", m.Status.Vtex(), m.Sequence, m.Value, m.Items, m.PlacedAt, m.LastChange, m.OrderGroup, m.Account,
        m.SellerOrderId, m.SellerId, m.WorkflowIsInError, m.AuthorizedDate, m.Seller, m.Status.IsFinal(), context);

    public static OrderResponse From(SellerOrderView s, string? orderGroup, DateTimeOffset? authorizedDate, OrderContext context) => Build(
        s.SellerOrderId, "Fulfillment", s.Status.Vtex(), s.Sequence, s.Value, s.Items, s.PlacedAt, s.LastChange, orderGroup, s.Account,
        s.SellerOrderId, s.SellerId, false, authorizedDate, s, s.Status.IsFinal(), context);

    private static OrderResponse Build(
        string orderId, string origin, string status, long sequence, long value, IReadOnlyList<OrderItem> stateItems, DateTimeOffset placedAt,
        DateTimeOffset? lastChange, string? orderGroup, string account, string sellerOrderId, string sellerId, bool workflowIsInError,
        DateTimeOffset? authorizedDate, SellerOrderView? seller, bool isFinal, OrderContext context)
    {
        var marketplaceOrderId = seller?.MarketplaceOrderId ?? orderId;
        var doc = context.Document ?? OrderDocuments.Minimal(AffiliateOf(sellerOrderId, marketplaceOrderId), sellerId, stateItems);
        var view = context.View;
        var packages = Packages(seller, doc.Items);
        var invoicedAt = seller?.Status == SellerOrderStatus.Invoiced ? seller.Invoices.Where(i => i.Type == InvoiceType.Output).Max(i => (DateTimeOffset?)i.IssuanceDate) : null;
        var shipping = doc.ShippingData is null ? null : new Dictionary<string, object?>
        {
            ["id"] = "shippingData",
            ["address"] = Part(PersonalData.Address(doc.ShippingData.Address, view)),
            ["logisticsInfo"] = Part(doc.ShippingData.LogisticsInfo),
            ["trackingHints"] = packages.Any(p => p.TrackingNumber is not null)
                ? Part(packages.Where(p => p.TrackingNumber is not null).Select(p => new TrackingHintResponse(p.TrackingNumber!, p.Courier ?? "", p.TrackingUrl ?? "", p.InvoiceNumber)))
                : null,
            ["selectedAddresses"] = doc.ShippingData.Address is null ? Array.Empty<object>() : new object?[] { Part(PersonalData.Address(doc.ShippingData.Address, view)) },
        };
        var payments = PersonalData.Payments(doc.PaymentData, view);
        var payment = payments is null ? null : new Dictionary<string, object?>
        {
            ["giftCards"] = Array.Empty<object>(),
            ["transactions"] = new object[] { new Dictionary<string, object?>
            {
                ["isActive"] = true,
                ["transactionId"] = payments.TransactionId ?? "",
                ["merchantName"] = payments.MerchantName ?? account,
                ["payments"] = Part(payments.Payments),
            } },
        };
        return new OrderResponse(
            orderId, sequence.ToString(CultureInfo.InvariantCulture), marketplaceOrderId, $"{context.BaseUrl}/api/oms/pvt/orders/{marketplaceOrderId}",
            sellerOrderId, origin, doc.AffiliateId, doc.SalesChannel, null, status, workflowIsInError, OrderListItemResponse.Describe(status), value,
            placedAt, lastChange ?? placedAt, orderGroup, null, account, true, 0, doc.OrderFormId,
            !isFinal, false, false, authorizedDate, invoicedAt, seller?.Status == SellerOrderStatus.Canceled ? seller.CancellationReason : null, null,
            [.. doc.Totals.Select(t => new TotalResponse(t.Id, t.Name, t.Value))],
            [new SellerResponse(sellerId, sellerId, null, $"{context.BaseUrl}/api/oms/pvt/orders/{sellerOrderId}")],
            Part(doc.ClientPreferencesData)!,
            seller is null ? null : Cancellation(seller), null, null,
            new Dictionary<string, object?> { ["Items"] = doc.Items.Select(i => Part(new
            {
                Id = i.Id, Seller = i.Seller, Name = i.Name, SkuName = i.Name, ProductId = i.ProductId, RefId = i.RefId, Ean = i.Ean,
                ImageUrl = i.ImageUrl, DetailUrl = i.DetailUrl,
            })).ToArray() },
            new MarketplaceResponse(context.BaseUrl, null, account),
            Part(doc.StorePreferencesData)!,
            null, null, null, null, null, null,
            new PackageAttachmentResponse(packages),
            payment, shipping,
            new Dictionary<string, object?> { ["id"] = "ratesAndBenefitsData", ["rateAndBenefitsIdentifiers"] = Array.Empty<object>() },
            Part(PersonalData.Marketing(doc.MarketingData, view)),
            null,
            Part(PersonalData.Client(doc.ClientProfileData, view)),
            Part(doc.Items.Select((i, index) => new
            {
                UniqueId = $"{orderId}-{index}",
                i.Id, i.ProductId, i.Ean, i.Quantity, i.Seller, i.Name, i.RefId, i.Price, i.ListPrice, i.SellingPrice,
                ManualPrice = (long?)null, PriceTags = Array.Empty<object>(), i.ImageUrl, i.DetailUrl, SellerSku = i.Id, Commission = 0, i.Tax,
                i.MeasurementUnit, i.UnitMultiplier, IsGift = false, RewardValue = 0, FreightCommission = 0,
                PriceDefinitions = new { SellingPrices = new[] { new { Value = i.SellingPrice, i.Quantity } }, CalculatedSellingPrice = i.SellingPrice, Total = i.SellingPrice * i.Quantity },
            }))!,
            [], [],
            Requests(seller), sellerId, seller?.Status.Vtex(), seller?.Sequence, seller?.NextDeadline);
    }

    /// <summary>A document part, written straight into the answer with <see cref="Parts"/> (no copy of it as a JSON tree first).</summary>
    private static JsonPart? Part<T>(T? value) => value is null ? null : new JsonPart(value, typeof(T));

    [JsonConverter(typeof(JsonPartConverter))]
    private sealed record JsonPart(object Value, Type Type);

    private sealed class JsonPartConverter : JsonConverter<JsonPart>
    {
        public override JsonPart Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("A document part is only written.");

        public override void Write(Utf8JsonWriter writer, JsonPart value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, value.Type, Parts);
    }

    /// <summary>The seller order id is <c>{affiliateId}-{orderId}</c> (domain.md §1).</summary>
    private static string AffiliateOf(string sellerOrderId, string marketplaceOrderId) =>
        sellerOrderId.EndsWith("-" + marketplaceOrderId, StringComparison.Ordinal) ? sellerOrderId[..^(marketplaceOrderId.Length + 1)] : "";

    private static CancellationDataResponse? Cancellation(SellerOrderView s) => s.CanceledBy is not { } by ? null : new(
        RequestedByUser: by == Actor.Customer, RequestedBySystem: by == Actor.System,
        RequestedBySellerNotification: by == Actor.Seller, RequestedByPaymentNotification: s.CancellationReason == "payment denied",
        s.CancellationReason, s.CanceledAt);

    private static IReadOnlyList<CancellationRequestResponse> Requests(SellerOrderView? s) => s is null ? [] : [.. s.CancellationRequests.Select(r => new CancellationRequestResponse(
        r.Id, r.Reason, r.RequestedAt, r.RequestedByUser, r.RequestedBy.Vtex(),
        r.Outcome == RequestOutcome.Denied, r.Outcome == RequestOutcome.Denied ? r.DecisionReason : null,
        r.Outcome == RequestOutcome.Denied ? r.DecidedAt : null,
        JsonSerializer.Serialize(r.Outcome).Trim('"'), r.Deadline, r.DecidedAt))];

    private static IReadOnlyList<PackageResponse> Packages(SellerOrderView? s, IReadOnlyList<DocumentItem> items) => s is null ? [] : [.. s.Invoices.Select(i => new PackageResponse(
        i.Type.ToString(), i.InvoiceNumber, i.Value, i.IssuanceDate,
        [.. i.Items.Select(line => new PackageItemResponse(Math.Max(0, items.ToList().FindIndex(x => x.Id == line.SkuId)), line.SkuId, line.Quantity, line.Price, line.Description))],
        i.Courier, i.TrackingNumber, i.TrackingUrl, null, null, null, i.DispatchedDate,
        s.Tracking.TryGetValue(i.InvoiceNumber, out var t)
            ? new CourierStatusResponse(t.IsDelivered ? "delivered" : null, t.IsDelivered, t.DeliveredDate, [.. t.Events.Select(e => new CourierEventResponse(e.City, e.State, e.Description, e.Date, e.Date))])
            : null))];
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
