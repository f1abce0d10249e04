using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OrderGrains.Api.Auth;

/// <summary>Checks the keys on start-up: complete, unique, and no demo key outside Development.</summary>
public sealed class ApiKeyValidation(IHostEnvironment environment) : IValidateOptions<ApiKeyOptions>
{
    /// <summary>Demo keys ship in silo-config/appsettings.Development.json; their tokens all start with this.</summary>
    public const string DemoTokenPrefix = "DEMO-";

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = new List<string>();
        foreach (var (key, i) in options.Keys.Select((k, i) => (k, i)))
        {
            var at = $"Auth:Keys:{i}";
            if (string.IsNullOrWhiteSpace(key.AppKey)) errors.Add($"{at}:AppKey is empty");
            if (key.AppToken.Length < 16) errors.Add($"{at}:AppToken must be at least 16 characters");
            if (key.Role == Role.Marketplace && string.IsNullOrWhiteSpace(key.Account)) errors.Add($"{at}: a marketplace key needs an Account");
            if (key.Role == Role.Seller && string.IsNullOrWhiteSpace(key.SellerId)) errors.Add($"{at}: a seller key needs a SellerId");
            if (key.Admin && key.Role != Role.Ops) errors.Add($"{at}: Admin (ops-admin) is a grant for ops keys");
            if (key.PersonalData && key.Role != Role.Ops) errors.Add($"{at}: PersonalData is a grant for ops keys (a marketplace sees its buyers, a seller what it ships)");
            if (!environment.IsDevelopment() && key.AppToken.StartsWith(DemoTokenPrefix, StringComparison.Ordinal))
            {
                errors.Add($"{at} ({key.AppKey}) is a documented demo key; it is accepted only in the Development profile (this is {environment.EnvironmentName}): configure real keys");
            }
        }
        foreach (var duplicate in options.Keys.GroupBy(k => k.AppKey).Where(g => g.Count() > 1))
        {
            errors.Add($"Auth:Keys has AppKey {duplicate.Key} more than once");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
