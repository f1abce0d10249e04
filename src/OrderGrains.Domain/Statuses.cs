using System.Text.Json.Serialization;

namespace OrderGrains.Domain;

/// <summary>Seller (fulfilment, VTEX "ffm") order statuses, serialized with VTEX's strings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SellerOrderStatus>))]
public enum SellerOrderStatus
{
    [JsonStringEnumMemberName("order-accepted")] OrderAccepted,
    [JsonStringEnumMemberName("window-to-cancel")] WindowToCancel,
    [JsonStringEnumMemberName("ready-for-handling")] ReadyForHandling,
    [JsonStringEnumMemberName("handling")] Handling,
    [JsonStringEnumMemberName("cancellation-requested")] CancellationRequested,
    [JsonStringEnumMemberName("invoiced")] Invoiced,
    [JsonStringEnumMemberName("canceled")] Canceled,
}

/// <summary>Marketplace order statuses, serialized with VTEX's strings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MarketplaceOrderStatus>))]
public enum MarketplaceOrderStatus
{
    [JsonStringEnumMemberName("payment-pending")] PaymentPending,
    [JsonStringEnumMemberName("payment-approved")] PaymentApproved,
    [JsonStringEnumMemberName("waiting-for-seller-decision")] WaitingForSellerDecision,
    [JsonStringEnumMemberName("invoiced")] Invoiced,
    [JsonStringEnumMemberName("canceled")] Canceled,
}

/// <summary>Who issued a command.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Actor>))]
public enum Actor
{
    [JsonStringEnumMemberName("marketplace")] Marketplace,
    [JsonStringEnumMemberName("customer")] Customer,
    [JsonStringEnumMemberName("seller")] Seller,
    [JsonStringEnumMemberName("system")] System,
    /// <summary>An operator's repair (the ops console or API): never a status of its choosing, only a move of the table.</summary>
    [JsonStringEnumMemberName("ops")] Ops,
}

public static class StatusNames
{
    public static string Vtex(this SellerOrderStatus status) => status switch
    {
        SellerOrderStatus.OrderAccepted => "order-accepted",
        SellerOrderStatus.WindowToCancel => "window-to-cancel",
        SellerOrderStatus.ReadyForHandling => "ready-for-handling",
        SellerOrderStatus.Handling => "handling",
        SellerOrderStatus.CancellationRequested => "cancellation-requested",
        SellerOrderStatus.Invoiced => "invoiced",
        SellerOrderStatus.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Vtex(this MarketplaceOrderStatus status) => status switch
    {
        MarketplaceOrderStatus.PaymentPending => "payment-pending",
        MarketplaceOrderStatus.PaymentApproved => "payment-approved",
        MarketplaceOrderStatus.WaitingForSellerDecision => "waiting-for-seller-decision",
        MarketplaceOrderStatus.Invoiced => "invoiced",
        MarketplaceOrderStatus.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Vtex(this Actor actor) => actor.ToString().ToLowerInvariant();

    public static bool IsFinal(this SellerOrderStatus status) =>
        status is SellerOrderStatus.Invoiced or SellerOrderStatus.Canceled;

    public static bool IsFinal(this MarketplaceOrderStatus status) =>
        status is MarketplaceOrderStatus.Invoiced or MarketplaceOrderStatus.Canceled;

    /// <summary>The marketplace and the customer are one side of a cancellation request, the seller the other.</summary>
    public static bool IsMarketplaceSide(this Actor actor) => actor is Actor.Marketplace or Actor.Customer;
}
