using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace OrderGrains.Api.Http;

/// <summary>
/// Reads a JSON body strictly: application/json only (415), at most <see cref="MaxBytes"/> (413), VTEX's camelCase
/// names, no unknown members, numbers as numbers. Failures become problem details that name the field.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    public sealed record Outcome<T>(T? Value, IResult? Problem);

    public static async Task<Outcome<T>> Read<T>(HttpRequest request) where T : class, IValidatable
    {
        if (!IsJson(request.ContentType))
        {
            return new(null, Problems.Result(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                $"Send the body as application/json (got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : request.ContentType)})."));
        }
        var bytes = await ReadLimited(request);
        if (bytes is null)
        {
            return new(null, TooLarge());
        }
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(bytes, Options);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path;
            return new(null, Problems.BadRequest($"The body is not a valid {typeof(T).Name.Replace("Request", "")} request: {Explain(ex)}",
                new Dictionary<string, string[]> { [field] = [Explain(ex)] }));
        }
        if (value is null)
        {
            return new(null, Problems.BadRequest("The body must be a JSON object.", new Dictionary<string, string[]> { ["$"] = ["expected an object, got null"] }));
        }
        var errors = value.Validate();
        return errors.Count > 0
            ? new(null, Problems.BadRequest("The request has invalid fields.", errors))
            : new(value, null);
    }

    public static IResult TooLarge() =>
        Problems.Result(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"The body is larger than {MaxBytes} bytes.");

    /// <summary>The body's bytes, or null if it is longer than <see cref="MaxBytes"/>. Rewinds so it can be read again.</summary>
    public static async Task<byte[]?> ReadLimited(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes) return null;
        request.EnableBuffering(MaxBytes + 1);
        request.Body.Position = 0;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes) return null;
        }
        request.Body.Position = 0;
        return buffer.ToArray();
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    private static string Explain(JsonException ex)
    {
        // System.Text.Json messages name .NET types; keep the part a client can act on.
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return message.Replace("System.", "", StringComparison.Ordinal).Replace("OrderGrains.Api.Shapes.", "", StringComparison.Ordinal);
    }
}

/// <summary>A request body that can say what is wrong with it, field by field (camelCase JSON paths).</summary>
public interface IValidatable
{
    Dictionary<string, string[]> Validate();
}
