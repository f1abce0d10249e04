using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrderGrains.Api.Http;

namespace OrderGrains.Api.Auth;

/// <summary>
/// Authenticates <c>X-VTEX-API-AppKey</c> + <c>X-VTEX-API-AppToken</c> (or HTTP Basic key:token, for a browser
/// on the dashboard). Tokens are compared in constant time and never logged.
/// </summary>
public sealed class ApiKeyAuthentication
{
    public const string AppKeyHeader = "X-VTEX-API-AppKey";
    public const string AppTokenHeader = "X-VTEX-API-AppToken";

    private readonly Dictionary<string, (byte[] TokenHash, Caller Caller)> keys;

    public ApiKeyAuthentication(IOptions<ApiKeyOptions> options) =>
        keys = options.Value.Keys.ToDictionary(k => k.AppKey, k => (Hash(k.AppToken), new Caller(k.AppKey, k.Role, k.Account, k.SellerId, k.Role == Role.Ops && k.PersonalData, k.Role == Role.Ops && k.Admin)));

    public Caller? Authenticate(HttpRequest request)
    {
        string? appKey = request.Headers[AppKeyHeader], appToken = request.Headers[AppTokenHeader];
        if (appKey is null && appToken is null && request.Headers.Authorization.ToString() is { } auth
            && auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
                var colon = pair.IndexOf(':');
                if (colon > 0) (appKey, appToken) = (pair[..colon], pair[(colon + 1)..]);
            }
            catch (FormatException)
            {
                return null;
            }
        }
        if (appKey is null || appToken is null) return null;

        // Hash both sides so the comparison takes the same time whatever the lengths; an unknown key still hashes.
        var presented = Hash(appToken);
        if (!keys.TryGetValue(appKey, out var known))
        {
            CryptographicOperations.FixedTimeEquals(presented, presented);
            return null;
        }
        return CryptographicOperations.FixedTimeEquals(presented, known.TokenHash) ? known.Caller : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

/// <summary>Puts the caller on the request; answers 401 on /api, /dashboard and /metrics without valid credentials.</summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthentication authentication)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var opsOnly = path.StartsWithSegments("/dashboard") || path.StartsWithSegments(Telemetry.MetricsPath) || path.StartsWithSegments(Endpoints.OpsConsole.Path);
        var allowed = context.GetEndpoint()?.Metadata.GetMetadata<AllowedRoles>();
        var protectedPath = opsOnly || path.StartsWithSegments("/api") || allowed is not null;
        if (!protectedPath) return next(context);

        var caller = authentication.Authenticate(context.Request);
        if (caller is null)
        {
            if (opsOnly)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"OrderGrains ops (AppKey:AppToken)\"";
            }
            return Problems.Write(context, StatusCodes.Status401Unauthorized, "UNAUTHORIZED",
                $"Missing or invalid credentials: send {ApiKeyAuthentication.AppKeyHeader} and {ApiKeyAuthentication.AppTokenHeader}, or HTTP Basic with AppKey:AppToken (what a browser sends).");
        }
        if (opsOnly && caller.Role != Role.Ops)
        {
            return Problems.Write(context, StatusCodes.Status403Forbidden, "FORBIDDEN", "The dashboard, the ops console and the metrics are for ops keys.");
        }
        if (allowed is not null && !allowed.Roles.Contains(caller.Role))
        {
            return Problems.Write(context, StatusCodes.Status403Forbidden, "FORBIDDEN", allowed.Refusal(caller.Role));
        }
        context.Items[typeof(Caller)] = caller;
        return next(context);
    }
}

/// <summary>The roles an endpoint admits (<see cref="Endpoints.EndpointSupport.Allow"/>): a caller of any other role gets 403.</summary>
public sealed record AllowedRoles(IReadOnlyList<Role> Roles)
{
    /// <summary>Why <paramref name="role"/> may not call the endpoint: "A seller key may not do this; it needs a marketplace key."</summary>
    public string Refusal(Role role) => $"{Capitalized(Article(role))} key may not do this; it needs {string.Join(" or ", Roles.Select(Article))} key.";

    /// <summary>"a seller", "an ops", "a marketplace": the role with its article.</summary>
    private static string Article(Role role)
    {
        var name = role.ToString().ToLowerInvariant();
        return ("aeiou".Contains(name[0]) ? "an " : "a ") + name;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}

public static class CallerExtensions
{
    public static Caller Caller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("no authenticated caller on an /api request");
}
