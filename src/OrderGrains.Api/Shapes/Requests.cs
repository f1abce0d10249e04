using System.Text.Json;
using System.Text.RegularExpressions;
using OrderGrains.Api.Http;

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

public sealed record PlaceOrderItem(string? SellerId, string? SkuId, int? Quantity, long? Price);

/// <summary>POST /api/oms/pvt/orders: an order group, split per seller. Prices in cents.</summary>
public sealed record PlaceOrderRequest(string? OrderGroup, string? AffiliateId, IReadOnlyList<PlaceOrderItem>? Items) : IValidatable
{
    public const int MaxItems = 100;
    public const long MaxPrice = 100_000_000_00; // 100 million in cents

    public Dictionary<string, string[]> Validate()
    {
        var c = new Checks();
        c.Id("orderGroup", OrderGroup, required: false);
        if (OrderGroup is { Length: > 40 }) c.Add("orderGroup", "must be at most 40 characters");
        c.Id("affiliateId", AffiliateId, required: false);
        if (AffiliateId is { Length: > 10 }) c.Add("affiliateId", "must be at most 10 characters");
        if (Items is null || Items.Count == 0) c.Add("items", "needs at least one item");
        else if (Items.Count > MaxItems) c.Add("items", $"may hold at most {MaxItems} items");
        else
        {
            for (var i = 0; i < Items.Count; i++)
            {
                var item = Items[i];
                if (item is null) { c.Add($"items[{i}]", "must be an object"); continue; }
                c.Id($"items[{i}].sellerId", item.SellerId);
                c.Id($"items[{i}].skuId", item.SkuId);
                c.Range($"items[{i}].quantity", item.Quantity, 1, 10_000);
                c.Range($"items[{i}].price", item.Price, 0, MaxPrice);
            }
        }
        return c.Errors;
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
