using OrderGrains.Domain.Documents;

namespace OrderGrains.Api.Shapes;

/// <summary>The checks of an order document's parts (the placement body); keys are the JSON paths clients see.</summary>
public static class DocumentChecks
{
    private const long MaxPrice = PlaceOrderRequest.MaxPrice;

    public static void Client(Checks c, ClientProfile? p)
    {
        if (p is null) return;
        c.Text("clientProfileData.email", p.Email, 254);
        if (p.Email is { Length: > 0 } email && (email.IndexOf('@') is < 1 || email.IndexOf('@') == email.Length - 1))
        {
            c.Add("clientProfileData.email", "must be an e-mail address");
        }
        c.Text("clientProfileData.firstName", p.FirstName, 200);
        c.Text("clientProfileData.lastName", p.LastName, 200);
        c.Text("clientProfileData.documentType", p.DocumentType, 20);
        c.Text("clientProfileData.document", p.Document, 50);
        c.Text("clientProfileData.phone", p.Phone, 50);
        c.Text("clientProfileData.corporateName", p.CorporateName, 200);
        c.Text("clientProfileData.tradeName", p.TradeName, 200);
        c.Text("clientProfileData.corporateDocument", p.CorporateDocument, 50);
        c.Text("clientProfileData.stateInscription", p.StateInscription, 50);
        c.Text("clientProfileData.corporatePhone", p.CorporatePhone, 50);
        c.Text("clientProfileData.userProfileId", p.UserProfileId, 64);
    }

    public static void Shipping(Checks c, ShippingData? s, int items)
    {
        if (s is null) return;
        if (s.Address is { } a)
        {
            c.Text("shippingData.address.addressType", a.AddressType, 50);
            c.Text("shippingData.address.receiverName", a.ReceiverName, 200);
            c.Text("shippingData.address.addressId", a.AddressId, 64);
            c.Text("shippingData.address.postalCode", a.PostalCode, 20);
            c.Text("shippingData.address.city", a.City, 200);
            c.Text("shippingData.address.state", a.State, 100);
            c.Text("shippingData.address.country", a.Country, 3);
            c.Text("shippingData.address.street", a.Street, 300);
            c.Text("shippingData.address.number", a.Number, 50);
            c.Text("shippingData.address.neighborhood", a.Neighborhood, 200);
            c.Text("shippingData.address.complement", a.Complement, 300);
            c.Text("shippingData.address.reference", a.Reference, 300);
            if (a.GeoCoordinates is { } geo && (geo.Count != 2 || geo[0] is < -180 or > 180 || geo[1] is < -90 or > 90))
            {
                c.Add("shippingData.address.geoCoordinates", "must be [longitude, latitude]");
            }
        }
        var logistics = s.LogisticsInfo ?? [];
        if (logistics.Count > PlaceOrderRequest.MaxItems) { c.Add("shippingData.logisticsInfo", $"may hold at most {PlaceOrderRequest.MaxItems} lines"); return; }
        var seen = new HashSet<int>();
        for (var i = 0; i < logistics.Count; i++)
        {
            var l = logistics[i];
            var at = $"shippingData.logisticsInfo[{i}]";
            if (l is null) { c.Add(at, "must be an object"); continue; }
            if (l.ItemIndex < 0 || l.ItemIndex >= items) c.Add($"{at}.itemIndex", $"must name an item: 0 to {items - 1}");
            else if (!seen.Add(l.ItemIndex)) c.Add($"{at}.itemIndex", $"item {l.ItemIndex} has another shipping line already");
            c.Range($"{at}.price", l.Price, 0, MaxPrice);
            c.Range($"{at}.listPrice", l.ListPrice, 0, MaxPrice);
            c.Range($"{at}.sellingPrice", l.SellingPrice, 0, MaxPrice);
            c.Text($"{at}.selectedSla", l.SelectedSla, 100);
            c.Text($"{at}.deliveryCompany", l.DeliveryCompany, 200);
            c.Text($"{at}.shippingEstimate", l.ShippingEstimate, 20);
            c.Text($"{at}.selectedDeliveryChannel", l.SelectedDeliveryChannel, 20);
            c.Text($"{at}.lockTTL", l.LockTTL, 20);
        }
    }

    public static void Payments(Checks c, PaymentSummary t)
    {
        const string at = "paymentData.transactions[0]";
        c.Text($"{at}.transactionId", t.TransactionId, 64);
        c.Text($"{at}.merchantName", t.MerchantName, 200);
        var payments = t.Payments ?? [];
        if (payments.Count is 0 or > 20) c.Add($"{at}.payments", "needs 1 to 20 payments");
        for (var i = 0; i < Math.Min(payments.Count, 20); i++)
        {
            var p = payments[i];
            if (p is null) { c.Add($"{at}.payments[{i}]", "must be an object"); continue; }
            c.Text($"{at}.payments[{i}].id", p.Id, 64);
            c.Text($"{at}.payments[{i}].paymentSystem", p.PaymentSystem, 20);
            c.Text($"{at}.payments[{i}].paymentSystemName", p.PaymentSystemName, 100);
            c.Text($"{at}.payments[{i}].group", p.Group, 50);
            c.Text($"{at}.payments[{i}].tid", p.Tid, 100);
            c.Range($"{at}.payments[{i}].value", p.Value, 0, MaxPrice * 100);
            c.Range($"{at}.payments[{i}].installments", p.Installments, 1, 99);
        }
    }

    public static void Marketing(Checks c, MarketingData? m)
    {
        if (m is null) return;
        foreach (var (name, value) in new[] { ("utmSource", m.UtmSource), ("utmPartner", m.UtmPartner), ("utmMedium", m.UtmMedium), ("utmCampaign", m.UtmCampaign),
                     ("coupon", m.Coupon), ("utmiCampaign", m.UtmiCampaign), ("utmipage", m.Utmipage), ("utmiPart", m.UtmiPart) })
        {
            c.Text($"marketingData.{name}", value, 200);
        }
        if (m.MarketingTags is { Count: > 50 }) c.Add("marketingData.marketingTags", "may hold at most 50 tags");
    }

    public static void Store(Checks c, StorePreferences? s)
    {
        if (s is null) return;
        if (s.CurrencyCode is not { Length: 3 } || !s.CurrencyCode.All(char.IsAsciiLetterUpper)) c.Add("storePreferencesData.currencyCode", "must be an ISO 4217 code such as BRL");
        if (s.CountryCode is not { Length: 3 } || !s.CountryCode.All(char.IsAsciiLetterUpper)) c.Add("storePreferencesData.countryCode", "must be an ISO 3166 alpha-3 code such as BRA");
        c.Text("storePreferencesData.currencySymbol", s.CurrencySymbol, 5, required: true);
        c.Text("storePreferencesData.timeZone", s.TimeZone, 100, required: true);
        c.Range("storePreferencesData.currencyLocale", s.CurrencyLocale, 1, 100_000);
        if (s.CurrencyFormatInfo is { } f) c.Range("storePreferencesData.currencyFormatInfo.CurrencyDecimalDigits", f.CurrencyDecimalDigits, 0, 4);
    }

    /// <summary>Totals sent must be what the lines add up to (per id); payments must add up to the group's value.</summary>
    public static void Totals(Checks c, GroupDocument group, IReadOnlyList<Total>? sent)
    {
        var computed = OrderDocuments.Totals(group.Items, group.ShippingData?.LogisticsInfo ?? []);
        var value = computed.Sum(t => t.Value);
        for (var i = 0; i < (sent?.Count ?? 0); i++)
        {
            var t = sent![i];
            if (t is null) { c.Add($"totals[{i}]", "must be an object"); continue; }
            if (computed.FirstOrDefault(x => x.Id == t.Id) is not { } expected)
            {
                c.Add($"totals[{i}].id", "must be Items, Discounts, Shipping or Tax");
            }
            else if (expected.Value != t.Value)
            {
                c.Add($"totals[{i}].value", $"is {t.Value}, but the lines add up to {expected.Value} ({expected.Name})");
            }
        }
        if (group.PaymentData is { Payments: { Count: > 0 } payments } && payments.Sum(p => p.Value) != value)
        {
            c.Add("paymentData.transactions[0].payments", $"add up to {payments.Sum(p => p.Value)}, but the order group costs {value}");
        }
    }
}
