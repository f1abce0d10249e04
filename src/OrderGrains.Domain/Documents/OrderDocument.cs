using System.Text.Json.Serialization;

namespace OrderGrains.Domain.Documents;

// The order document: what the marketplace's checkout knew when the order was placed (customer, address, shipping
// choices, payment summary, totals, marketing data). It never changes after placement and is kept out of the workflow
// state: the placement's write files it once (og_order_document on PostgreSQL, in the same transaction as the order's
// first state row) and Get order reads it next to the order's state. Member names are VTEX's (camelCase on the wire).

/// <summary>One line of an order as the checkout sold it. Prices are cents per unit; <see cref="SellingPrice"/> is after discounts.</summary>
public sealed record DocumentItem(
    string Id,
    string Seller,
    int Quantity,
    long Price,
    long ListPrice,
    long SellingPrice,
    string? ProductId = null,
    string? Name = null,
    string? RefId = null,
    string? Ean = null,
    string? MeasurementUnit = null,
    int UnitMultiplier = 1,
    string? ImageUrl = null,
    string? DetailUrl = null,
    long Tax = 0);

/// <summary>VTEX's <c>clientProfileData</c>: the buyer. Personal data: see the README's matrix for who sees what.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ClientProfile(
    string? Email = null,
    string? FirstName = null,
    string? LastName = null,
    string? DocumentType = null,
    string? Document = null,
    string? Phone = null,
    string? CorporateName = null,
    string? TradeName = null,
    string? CorporateDocument = null,
    string? StateInscription = null,
    string? CorporatePhone = null,
    bool IsCorporate = false,
    string? UserProfileId = null);

/// <summary>VTEX's shipping address.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record Address(
    string? AddressType = null,
    string? ReceiverName = null,
    string? AddressId = null,
    string? PostalCode = null,
    string? City = null,
    string? State = null,
    string? Country = null,
    string? Street = null,
    string? Number = null,
    string? Neighborhood = null,
    string? Complement = null,
    string? Reference = null,
    IReadOnlyList<double>? GeoCoordinates = null);

/// <summary>The shipping chosen for one item (<see cref="ItemIndex"/> is the item's position in its order). Prices in cents.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record LogisticsInfo(
    int ItemIndex,
    string? SelectedSla = null,
    long Price = 0,
    long ListPrice = 0,
    long SellingPrice = 0,
    string? DeliveryCompany = null,
    string? ShippingEstimate = null,
    DateTimeOffset? ShippingEstimateDate = null,
    string? SelectedDeliveryChannel = null,
    string? LockTTL = null);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ShippingData(Address? Address, IReadOnlyList<LogisticsInfo> LogisticsInfo);

/// <summary>One payment of the transaction: a summary (no card data is ever accepted). Values in cents.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record Payment(
    string? Id = null,
    string? PaymentSystem = null,
    string? PaymentSystemName = null,
    long Value = 0,
    int Installments = 1,
    long ReferenceValue = 0,
    string? Group = null,
    string? Tid = null);

/// <summary>VTEX's <c>paymentData</c> in summary: one transaction and its payments.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record PaymentSummary(string? TransactionId, string? MerchantName, IReadOnlyList<Payment> Payments);

/// <summary>VTEX's totals: <c>Items</c>, <c>Discounts</c> (negative), <c>Shipping</c>, <c>Tax</c>. Cents.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record Total(string Id, string Name, long Value);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record MarketingData(
    string? UtmSource = null,
    string? UtmPartner = null,
    string? UtmMedium = null,
    string? UtmCampaign = null,
    string? Coupon = null,
    string? UtmiCampaign = null,
    string? Utmipage = null,
    string? UtmiPart = null,
    IReadOnlyList<string>? MarketingTags = null);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ClientPreferences(string? Locale = null, bool OptinNewsLetter = false);

/// <summary>VTEX's <c>currencyFormatInfo</c> (VTEX spells its members in PascalCase).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record CurrencyFormat(
    [property: JsonPropertyName("CurrencyDecimalDigits")] int CurrencyDecimalDigits = 2,
    [property: JsonPropertyName("CurrencyDecimalSeparator")] string CurrencyDecimalSeparator = ".",
    [property: JsonPropertyName("CurrencyGroupSeparator")] string CurrencyGroupSeparator = ",",
    [property: JsonPropertyName("CurrencyGroupSize")] int CurrencyGroupSize = 3,
    [property: JsonPropertyName("StartsWithCurrencySymbol")] bool StartsWithCurrencySymbol = true);

/// <summary>VTEX's <c>storePreferencesData</c>: the currency the prices are in.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record StorePreferences(
    string CountryCode,
    string CurrencyCode,
    string CurrencySymbol,
    int CurrencyLocale,
    string TimeZone,
    CurrencyFormat? CurrencyFormatInfo = null)
{
    /// <summary>What an order placed without store preferences is in (README: "The order document").</summary>
    public static StorePreferences Default { get; } = new("USA", "USD", "$", 1033, "UTC", new CurrencyFormat());
}

/// <summary>
/// What a placement sends besides its items, for the whole group (every seller's items): the checkout's view.
/// <see cref="Items"/> runs parallel to the group's items; <see cref="ShippingData"/>'s item indexes point into them.
/// </summary>
public sealed record GroupDocument(
    IReadOnlyList<DocumentItem> Items,
    string SalesChannel = "1",
    string? OrderFormId = null,
    ClientProfile? ClientProfileData = null,
    ShippingData? ShippingData = null,
    PaymentSummary? PaymentData = null,
    MarketingData? MarketingData = null,
    ClientPreferences? ClientPreferencesData = null,
    StorePreferences? StorePreferencesData = null);

/// <summary>One marketplace order's document (and its seller order's): its own items, shipping, payments and totals.</summary>
public sealed record OrderDocument(
    string AffiliateId,
    string SalesChannel,
    string? OrderFormId,
    IReadOnlyList<DocumentItem> Items,
    IReadOnlyList<Total> Totals,
    ClientProfile? ClientProfileData,
    ShippingData? ShippingData,
    PaymentSummary? PaymentData,
    MarketingData? MarketingData,
    ClientPreferences ClientPreferencesData,
    StorePreferences StorePreferencesData)
{
    /// <summary>What the buyer pays for this order: the sum of its totals (items, discounts, shipping, tax), in cents.</summary>
    public long Value => Totals.Sum(t => t.Value);
}

/// <summary>The arithmetic of documents: totals of a set of items and the split of a group into one document per seller.</summary>
public static class OrderDocuments
{
    /// <summary>VTEX's four totals over <paramref name="items"/> and their shipping lines.</summary>
    public static IReadOnlyList<Total> Totals(IReadOnlyList<DocumentItem> items, IEnumerable<LogisticsInfo> shipping)
    {
        var itemsTotal = items.Sum(i => i.Price * i.Quantity);
        var discounts = items.Sum(i => (i.SellingPrice - i.Price) * i.Quantity);
        return
        [
            new("Items", "Items Total", itemsTotal),
            new("Discounts", "Discounts Total", discounts),
            new("Shipping", "Shipping Total", shipping.Sum(l => l.SellingPrice)),
            new("Tax", "Tax Total", items.Sum(i => i.Tax * i.Quantity)),
        ];
    }

    /// <summary>The document of an order placed without one (before documents existed): its items at their price, nothing else.</summary>
    public static OrderDocument Minimal(string affiliateId, string sellerId, IReadOnlyList<OrderItem> items)
    {
        var lines = items.Select(i => new DocumentItem(i.SkuId, sellerId, i.Quantity, i.Price, i.Price, i.Price)).ToList();
        return new OrderDocument(affiliateId, "1", null, lines, Totals(lines, []), null, null, null, null, new ClientPreferences(), StorePreferences.Default);
    }

    /// <summary>
    /// One document per order of the group: order k holds the group's items at <c>orders[k]</c> (in group order), their
    /// shipping lines renumbered to the order's own item positions, its totals, and its share of each payment —
    /// proportional to its value, the last order taking what rounding left, so the shares add up to the payment.
    /// </summary>
    public static IReadOnlyList<OrderDocument> Split(GroupDocument group, string affiliateId, IReadOnlyList<IReadOnlyList<int>> orders)
    {
        var parts = orders.Select(indexes =>
        {
            var position = indexes.Select((groupIndex, orderIndex) => (groupIndex, orderIndex)).ToDictionary(p => p.groupIndex, p => p.orderIndex);
            var items = indexes.Select(i => group.Items[i]).ToList();
            var logistics = (group.ShippingData?.LogisticsInfo ?? [])
                .Where(l => position.ContainsKey(l.ItemIndex))
                .Select(l => l with { ItemIndex = position[l.ItemIndex] })
                .OrderBy(l => l.ItemIndex)
                .ToList();
            return (Items: items, Logistics: logistics, Totals: Totals(items, logistics));
        }).ToList();
        var values = parts.Select(p => p.Totals.Sum(t => t.Value)).ToList();
        var groupValue = values.Sum();
        return [.. parts.Select((part, k) => new OrderDocument(
            affiliateId,
            group.SalesChannel,
            group.OrderFormId,
            part.Items,
            part.Totals,
            group.ClientProfileData,
            group.ShippingData is null ? null : new ShippingData(group.ShippingData.Address, part.Logistics),
            group.PaymentData is null ? null : group.PaymentData with { Payments = [.. group.PaymentData.Payments.Select(p => p with { Value = Share(p.Value, k), ReferenceValue = p.Value })] },
            group.MarketingData,
            group.ClientPreferencesData ?? new ClientPreferences(),
            group.StorePreferencesData ?? StorePreferences.Default))];

        long Share(long payment, int k)
        {
            if (groupValue == 0) return k == values.Count - 1 ? payment : 0;
            long FloorShare(int j) => payment * values[j] / groupValue;
            return k < values.Count - 1 ? FloorShare(k) : payment - Enumerable.Range(0, values.Count - 1).Sum(FloorShare);
        }
    }
}
