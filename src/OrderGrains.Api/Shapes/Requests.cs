using System.Text.Json;
using System.Text.RegularExpressions;
using OrderGrains.Api.Http;
using OrderGrains.Domain.Documents;

namespace OrderGrains.Api.Shapes;

/// <summary>Field checks shared by the request bodies; keys are the JSON paths clients see.</summary>
public sealed partial class Checks
{
    public Dictionary<string, string[]> Errors { get; } = [];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    public static partial Regex IdPattern();

    public void Add(string field, string message) =>
        Errors[field] = Errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void Id(string field, string? value, bool required = true)
    {
        if (value is null) { if (required) Add(field, "is required"); return; }
        if (!IdPattern().IsMatch(value)) Add(field, "must be 1-64 characters of letters, digits, '.', '_' or '-'");
    }

    public void Text(string field, string? value, int max, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value)) { if (required) Add(field, "is required"); return; }
        if (value.Length > max) Add(field, $"must be at most {max} characters");
    }

    public void Range(string field, long? value, long min, long max)
    {
        if (value is null) Add(field, "is required");
        else if (value < min || value > max) Add(field, $"must be between {min} and {max}");
    }
}

/// <summary>
/// An item as VTEX's checkout describes it: <c>id</c> (the SKU) and <c>seller</c>, or OrderGrains' earlier names <c>skuId</c> and
/// <c>sellerId</c>. Prices are cents per unit: <c>price</c> the unit price, <c>listPrice</c> before any promotion,
/// <c>sellingPrice</c> after discounts (both default to <c>price</c>); <c>tax</c> per unit.
/// </summary>
public sealed record PlaceOrderItem(
    string? SellerId = null,
    string? SkuId = null,
    int? Quantity = null,
    long? Price = null,
    string? Id = null,
    string? Seller = null,
    string? ProductId = null,
    string? Name = null,
    long? ListPrice = null,
    long? SellingPrice = null,
    string? RefId = null,
    string? Ean = null,
    string? MeasurementUnit = null,
    int? UnitMultiplier = null,
    string? ImageUrl = null,
    string? DetailUrl = null,
    long? Tax = null)
{
    public string? Sku => Id ?? SkuId;

    public string? SellerOf => Seller ?? SellerId;

    public DocumentItem ToDocument() => new(Sku!, SellerOf!, Quantity!.Value, Price!.Value, ListPrice ?? Price!.Value, SellingPrice ?? Price!.Value,
        ProductId, Name, RefId, Ean, MeasurementUnit, UnitMultiplier ?? 1, ImageUrl, DetailUrl, Tax ?? 0);
}

/// <summary>VTEX's <c>paymentData</c> in summary: at most one transaction (no card data is accepted).</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip)]
public sealed record PaymentDataRequest(IReadOnlyList<PaymentSummary>? Transactions);

/// <summary>
/// POST /api/oms/pvt/orders: an order group as the marketplace's checkout closed it, split per seller. Besides the items it
/// takes the order document (VTEX's names: <c>clientProfileData</c>, <c>shippingData</c> with per-item <c>logisticsInfo</c>,
/// <c>paymentData</c>, <c>totals</c>, <c>marketingData</c>, <c>salesChannel</c>, …), kept as placed. Prices in cents.
/// </summary>
public sealed record PlaceOrderRequest(
    string? OrderGroup,
    string? AffiliateId,
    IReadOnlyList<PlaceOrderItem>? Items,
    string? SalesChannel = null,
    string? OrderFormId = null,
    ClientProfile? ClientProfileData = null,
    ShippingData? ShippingData = null,
    PaymentDataRequest? PaymentData = null,
    IReadOnlyList<Total>? Totals = null,
    MarketingData? MarketingData = null,
    ClientPreferences? ClientPreferencesData = null,
    StorePreferences? StorePreferencesData = null) : IValidatable
{
    public const int MaxItems = 100;
    public const long MaxPrice = 100_000_000_00; // 100 million in cents

    /// <summary>The group's document (valid after <see cref="Validate"/> found no error).</summary>
    public GroupDocument Document() => new(
        [.. Items!.Select(i => i.ToDocument())], SalesChannel ?? "1", OrderFormId, ClientProfileData, ShippingData,
        PaymentData?.Transactions is [var transaction] ? transaction : null, MarketingData, ClientPreferencesData, StorePreferencesData);

    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        c.Id("orderGroup", OrderGroup, required: false);
        if (OrderGroup is { Length: > 40 }) c.Add("orderGroup", "must be at most 40 characters");
        c.Id("affiliateId", AffiliateId, required: false);
        if (AffiliateId is { Length: > 10 }) c.Add("affiliateId", "must be at most 10 characters");
        c.Id("salesChannel", SalesChannel, required: false);
        c.Text("orderFormId", OrderFormId, 64);
        if (Items is null || Items.Count == 0) c.Add("items", "needs at least one item");
        else if (Items.Count > MaxItems) c.Add("items", $"may hold at most {MaxItems} items");
        else
        {
            for (var i = 0; i < Items.Count; i++)
            {
                var item = Items[i];
                if (item is null) { c.Add($"items[{i}]", "must be an object"); continue; }
                ValidateItem(c, $"items[{i}]", item);
            }
        }
        DocumentChecks.Client(c, ClientProfileData);
        DocumentChecks.Shipping(c, ShippingData, Items?.Count ?? 0);
        if (PaymentData?.Transactions is { Count: > 1 }) c.Add("paymentData.transactions", "may hold one transaction (the checkout's)");
        if (PaymentData?.Transactions is [var transaction]) DocumentChecks.Payments(c, transaction);
        DocumentChecks.Marketing(c, MarketingData);
        DocumentChecks.Store(c, StorePreferencesData);
        c.Text("clientPreferencesData.locale", ClientPreferencesData?.Locale, 20);
        if (c.Errors.Count == 0)
        {
            // What the checkout says the order costs must be what its lines add up to; so must its payments.
            DocumentChecks.Totals(c, Document(), Totals);
        }
        return c.Errors;
    }

    private static void ValidateItem(Checks c, string at, PlaceOrderItem item)
    {
        if (item.Id is not null && item.SkuId is not null && item.Id != item.SkuId) c.Add($"{at}.id", "and skuId name different SKUs; send one of them");
        if (item.Seller is not null && item.SellerId is not null && item.Seller != item.SellerId) c.Add($"{at}.seller", "and sellerId name different sellers; send one of them");
        c.Id(item.Id is null && item.SkuId is not null ? $"{at}.skuId" : $"{at}.id", item.Sku);
        c.Id(item.Seller is null && item.SellerId is not null ? $"{at}.sellerId" : $"{at}.seller", item.SellerOf);
        c.Range($"{at}.quantity", item.Quantity, 1, 10_000);
        c.Range($"{at}.price", item.Price, 0, MaxPrice);
        if (item.ListPrice is not null) c.Range($"{at}.listPrice", item.ListPrice, 0, MaxPrice);
        if (item.SellingPrice is not null) c.Range($"{at}.sellingPrice", item.SellingPrice, 0, MaxPrice);
        if (item.SellingPrice > item.Price) c.Add($"{at}.sellingPrice", "must not be above price (it is the price after discounts)");
        if (item.Tax is not null) c.Range($"{at}.tax", item.Tax, 0, MaxPrice);
        if (item.UnitMultiplier is not null) c.Range($"{at}.unitMultiplier", item.UnitMultiplier, 1, 10_000);
        c.Text($"{at}.productId", item.ProductId, 64);
        c.Text($"{at}.name", item.Name, 500);
        c.Text($"{at}.refId", item.RefId, 64);
        c.Text($"{at}.ean", item.Ean, 64);
        c.Text($"{at}.measurementUnit", item.MeasurementUnit, 20);
        c.Text($"{at}.imageUrl", item.ImageUrl, 2000);
        c.Text($"{at}.detailUrl", item.DetailUrl, 2000);
    }
}

public sealed record PaymentNotificationRequest(string? Status) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (Status is not ("approved" or "denied")) c.Add("status", "must be \"approved\" or \"denied\"");
        return c.Errors;
    }
}

/// <summary>
/// VTEX's cancel body. VTEX sends <c>requestedByUser</c> as a boolean: <c>true</c> when the customer asked (a marketplace key's
/// cancel is then recorded as the customer's). Earlier OrderGrains clients sent a string naming who asked; both are accepted.
/// </summary>
public sealed record CancelRequest(string? Reason, JsonElement? RequestedByUser) : IValidatable
{
    /// <summary>VTEX's boolean: the customer asked.</summary>
    public bool ByCustomer => RequestedByUser is { ValueKind: JsonValueKind.True };

    /// <summary>Who asked, as the history records it: the name sent, "customer" for VTEX's <c>true</c>, otherwise nobody named.</summary>
    public string? AskedBy => RequestedByUser switch
    {
        { ValueKind: JsonValueKind.String } name => name.GetString(),
        { ValueKind: JsonValueKind.True } => "customer",
        _ => null,
    };

    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        c.Text("reason", Reason, 500);
        switch (RequestedByUser)
        {
            case null or { ValueKind: JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } name:
                c.Text("requestedByUser", name.GetString(), 200);
                break;
            default:
                c.Add("requestedByUser", "must be true, false or a string naming who asked");
                break;
        }
        return c.Errors;
    }
}

public sealed record CancellationRequestDecision(string? CancellationRequestId, string? DenyReason) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        c.Text("cancellationRequestId", CancellationRequestId, 200, required: true);
        c.Text("denyReason", DenyReason, 500);
        return c.Errors;
    }
}

public sealed record InvoiceItemRequest(string? Id, int? Quantity, long? Price, string? Description = null);

/// <summary>
/// VTEX's invoice notification body. <c>invoiceValue</c> is cents as VTEX sends it (a string of digits, <c>"2499"</c>) or as a
/// number. <c>type</c> <c>Output</c> (the default) invoices; <c>Input</c> records a return invoice on an invoiced order.
/// Fields VTEX sends that OrderGrains keeps no use for (invoiceKey, invoiceUrl, embeddedInvoice, cfop, volumes, extraValue)
/// are accepted and ignored.
/// </summary>
public sealed record InvoiceRequest(
    string? Type,
    DateTimeOffset? IssuanceDate,
    string? InvoiceNumber,
    JsonElement? InvoiceValue,
    IReadOnlyList<InvoiceItemRequest>? Items,
    string? Courier,
    string? TrackingNumber,
    string? TrackingUrl,
    string? InvoiceKey = null,
    string? InvoiceUrl = null,
    string? EmbeddedInvoice = null,
    DateTimeOffset? DispatchedDate = null,
    string? Cfop = null,
    int? Volumes = null,
    long? ExtraValue = null) : IValidatable
{
    /// <summary>The invoice value in cents (valid after <see cref="Validate"/> found no error).</summary>
    public long? Cents => InvoiceValue switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var v) => v,
        { ValueKind: JsonValueKind.String } t when long.TryParse(t.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };

    public bool IsReturn => Type == "Input";

    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (Type is not (null or "Output" or "Input")) c.Add("type", "must be \"Output\" (a sale) or \"Input\" (a return)");
        c.Text("invoiceNumber", InvoiceNumber, 64, required: true);
        if (InvoiceValue is null or { ValueKind: JsonValueKind.Null }) c.Add("invoiceValue", "is required");
        else if (Cents is null) c.Add("invoiceValue", "must be whole cents, as a string of digits (\"2499\" for 24.99) or a whole number");
        else c.Range("invoiceValue", Cents, 1, PlaceOrderRequest.MaxPrice * 10_000);
        if (Items is { Count: > PlaceOrderRequest.MaxItems }) c.Add("items", $"may hold at most {PlaceOrderRequest.MaxItems} items");
        for (var i = 0; i < (Items?.Count ?? 0) && i < PlaceOrderRequest.MaxItems; i++)
        {
            var item = Items![i];
            if (item is null) { c.Add($"items[{i}]", "must be an object"); continue; }
            c.Id($"items[{i}].id", item.Id);
            c.Range($"items[{i}].quantity", item.Quantity, 1, 10_000);
            c.Range($"items[{i}].price", item.Price, 0, PlaceOrderRequest.MaxPrice);
            c.Text($"items[{i}].description", item.Description, 500);
        }
        c.Text("courier", Courier, 200);
        c.Text("trackingNumber", TrackingNumber, 200);
        c.Text("trackingUrl", TrackingUrl, 2000);
        return c.Errors;
    }
}

/// <summary>VTEX's PATCH of an invoice ("update partial invoice / send tracking number"). A field left out or null stays as it is.</summary>
public sealed record UpdateInvoiceRequest(string? TrackingNumber, string? TrackingUrl, string? Courier, DateTimeOffset? DispatchedDate) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        c.Text("trackingNumber", TrackingNumber, 200);
        c.Text("trackingUrl", TrackingUrl, 2000);
        c.Text("courier", Courier, 200);
        if (TrackingNumber is null && TrackingUrl is null && Courier is null && DispatchedDate is null)
        {
            c.Add("$", "send at least one of trackingNumber, trackingUrl, courier, dispatchedDate");
        }
        return c.Errors;
    }
}

public sealed record TrackingEventRequest(string? City, string? State, string? Description, DateTimeOffset? Date);

public sealed record TrackingRequest(bool? IsDelivered, DateTimeOffset? DeliveredDate, IReadOnlyList<TrackingEventRequest>? Events) : IValidatable
{
    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        if (IsDelivered is null) c.Add("isDelivered", "is required");
        if (Events is { Count: > 500 }) c.Add("events", "may hold at most 500 events");
        for (var i = 0; i < Math.Min(Events?.Count ?? 0, 500); i++)
        {
            var e = Events![i];
            if (e is null) { c.Add($"events[{i}]", "must be an object"); continue; }
            c.Text($"events[{i}].city", e.City, 200);
            c.Text($"events[{i}].state", e.State, 200);
            c.Text($"events[{i}].description", e.Description, 1000);
        }
        return c.Errors;
    }
}
