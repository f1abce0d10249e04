using System.Text.Json.Serialization;

namespace OrderGrains.Api.Auth;

[JsonConverter(typeof(JsonStringEnumConverter<Role>))]
public enum Role
{
    /// <summary>A marketplace account: places orders, takes payment, cancels; sees its own account's orders.</summary>
    [JsonStringEnumMemberName("marketplace")] Marketplace,
    /// <summary>A seller's ERP: handles, invoices, decides cancellation requests; sees only its own orders.</summary>
    [JsonStringEnumMemberName("seller")] Seller,
    /// <summary>Operations: the dashboard and every order, read-only.</summary>
    [JsonStringEnumMemberName("ops")] Ops,
}

/// <summary>One configured API key (VTEX's X-VTEX-API-AppKey / X-VTEX-API-AppToken pair).</summary>
public sealed class ApiKey
{
    public string AppKey { get; set; } = "";
    public string AppToken { get; set; } = "";
    public Role Role { get; set; }
    /// <summary>The marketplace account (role marketplace).</summary>
    public string? Account { get; set; }
    /// <summary>The seller id (role seller).</summary>
    public string? SellerId { get; set; }
    /// <summary>Role ops only: sees buyers' personal data unmasked (README: "Personal data").</summary>
    public bool PersonalData { get; set; }
    /// <summary>Role ops only: ops-admin, which may run repairs (resync, fire a due deadline); plain ops keys only read.</summary>
    public bool Admin { get; set; }
}

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Auth";

    public List<ApiKey> Keys { get; set; } = [];
}

/// <summary>Who is calling, once the key checked out.</summary>
public sealed record Caller(string AppKey, Role Role, string? Account, string? SellerId, bool PersonalData = false, bool Admin = false)
{
    /// <summary>What a list, feed or hook of this key is limited to: a marketplace its account, a seller its orders, ops nothing.</summary>
    public string? VisibleAccount => Role == Role.Marketplace ? Account : null;

    public string? VisibleSeller => Role == Role.Seller ? SellerId : null;
}
