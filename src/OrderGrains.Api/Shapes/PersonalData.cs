using OrderGrains.Api.Auth;
using OrderGrains.Domain.Documents;

namespace OrderGrains.Api.Shapes;

/// <summary>How much of the buyer's personal data a caller sees in an order (the README's personal-data matrix).</summary>
public enum PersonalDataView
{
    /// <summary>The marketplace that placed the order, and ops keys granted <c>PersonalData</c>.</summary>
    Full,
    /// <summary>The seller: what it needs to invoice and ship (name, document, phone, the address); the e-mail masked, no profile id, no marketing data, no payment tids.</summary>
    Seller,
    /// <summary>Ops without the grant: every personal field masked, the address reduced to city, state, country and postal-code prefix.</summary>
    Masked,
}

public static class PersonalData
{
    public static PersonalDataView ViewOf(Caller caller) => caller.Role switch
    {
        Role.Marketplace => PersonalDataView.Full,
        Role.Seller => PersonalDataView.Seller,
        _ => caller.PersonalData ? PersonalDataView.Full : PersonalDataView.Masked,
    };

    public static ClientProfile? Client(ClientProfile? p, PersonalDataView view) => p is null ? null : view switch
    {
        PersonalDataView.Full => p,
        PersonalDataView.Seller => p with { Email = Email(p.Email), UserProfileId = null },
        _ => new ClientProfile(Email(p.Email), Initial(p.FirstName), Initial(p.LastName), p.DocumentType, Tail(p.Document), Tail(p.Phone),
            Initial(p.CorporateName), Initial(p.TradeName), Tail(p.CorporateDocument), Tail(p.StateInscription), Tail(p.CorporatePhone), p.IsCorporate, null),
    };

    public static Address? Address(Address? a, PersonalDataView view) => a is null || view != PersonalDataView.Masked ? a
        : new Address(a.AddressType, Initial(a.ReceiverName), a.AddressId, a.PostalCode is { Length: > 3 } zip ? zip[..3] + "***" : a.PostalCode,
            a.City, a.State, a.Country, Initial(a.Street), a.Number is null ? null : "***", Initial(a.Neighborhood),
            a.Complement is null ? null : "***", a.Reference is null ? null : "***", null);

    public static PaymentSummary? Payments(PaymentSummary? p, PersonalDataView view) => p is null || view == PersonalDataView.Full ? p
        : p with { Payments = [.. p.Payments.Select(x => x with { Tid = null })] };

    public static MarketingData? Marketing(MarketingData? m, PersonalDataView view) => view == PersonalDataView.Seller ? null : m;

    /// <summary><c>jane@example.com</c> → <c>j***@e***.com</c>.</summary>
    public static string? Email(string? email)
    {
        if (email is null) return null;
        var at = email.IndexOf('@');
        if (at < 1) return "***";
        var domain = email[(at + 1)..];
        var dot = domain.LastIndexOf('.');
        return $"{email[0]}***@{(domain.Length > 0 ? domain[0] : '*')}***{(dot > 0 ? domain[dot..] : "")}";
    }

    private static string? Initial(string? text) => string.IsNullOrEmpty(text) ? text : text[0] + "***";

    private static string? Tail(string? text) => string.IsNullOrEmpty(text) ? text : "***" + (text.Length > 4 ? text[^2..] : "");
}
