using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace OrderGrains.Api.Http;

/// <summary>
/// Reads a JSON body strictly: application/json only (415), at most <see cref="MaxBytes"/> (413), VTEX's camelCase
/// names, no unknown members, numbers as numbers. Failures become problem details that name the field.
/// </summary>
public static partial class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
        Converters = { new VtexDateTimeConverter() },
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
            var reason = Explain<T>(ex);
            return new(null, Problems.BadRequest(field == "$" ? $"The body is not valid JSON for this request: {reason}" : $"{field} {reason}",
                new Dictionary<string, string[]> { [field] = [reason] }));
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

    /// <summary>
    /// The body's bytes, or null if it is longer than <see cref="MaxBytes"/>. Read once per request and kept with it, so the
    /// idempotency check and the endpoint read the same bytes.
    /// </summary>
    public static async Task<byte[]?> ReadLimited(HttpRequest request)
    {
        if (request.HttpContext.Items.TryGetValue(typeof(JsonBody), out var kept)) return (byte[]?)kept;
        var bytes = await ReadOnce(request);
        request.HttpContext.Items[typeof(JsonBody)] = bytes;
        return bytes;
    }

    private static async Task<byte[]?> ReadOnce(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes) return null;
        if (request.ContentLength is { } exact)
        {
            // The common case (a Content-Length): read straight into an array of that size. Kestrel ends the body there.
            var body = new byte[exact];
            var filled = 0;
            int read;
            while (filled < body.Length && (read = await request.Body.ReadAsync(body.AsMemory(filled), request.HttpContext.RequestAborted)) > 0)
            {
                filled += read;
            }
            return filled == body.Length ? body : body[..filled];
        }
        var buffer = new MemoryStream(1024);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBytes) return null;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>
    /// What is wrong, in the client's terms. System.Text.Json names the .NET type it was filling (for a record, the parent
    /// type: "could not be converted to PlaceOrderItem"); this names what the field expects instead.
    /// </summary>
    private static string Explain<T>(JsonException ex)
    {
        if (ex.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "is not a field of this request";
        }
        if (ex.Path is { Length: > 1 } path && FieldType(typeof(T), path) is { } type)
        {
            return "must be " + Expected(type);
        }
        return ex.Path is null or "$" ? "the body must be one JSON object" : "has a value of the wrong type or is not valid JSON";
    }

    [GeneratedRegex(@"\.([A-Za-z0-9_]+)|\[(\d+)\]|\['([^']+)'\]")]
    private static partial Regex PathStep();

    /// <summary>The .NET type of the member a JSON path like <c>$.items[0].quantity</c> leads to, if it can be followed.</summary>
    private static Type? FieldType(Type root, string path)
    {
        var type = root;
        foreach (Match step in PathStep().Matches(path))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (step.Groups[2].Success)
            {
                type = ElementType(type);
            }
            else
            {
                var name = step.Groups[1].Success ? step.Groups[1].Value : step.Groups[3].Value;
                type = type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }
            if (type is null) return null;
        }
        return type;
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "a whole number (not a string)";
        if (type == typeof(decimal) || type == typeof(double)) return "a number (not a string)";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return VtexDateTimeConverter.Expected;
        if (type == typeof(JsonElement)) return "a JSON value of the documented type";
        return ElementType(type) is null ? "an object" : "an array";
    }

    /// <summary>The item type of an array or list type; null for anything else (strings included).</summary>
    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}

/// <summary>
/// Dates as VTEX sends them: ISO 8601 (<c>2024-01-31T18:25:43-05:00</c>, <c>2022-02-08T13:16:13.4617653+00:00</c>), and the
/// forms VTEX documents for tracking: <c>2022-10-01 21:15</c> (deliveredDate) and <c>2015-06-23</c> (event dates). A date
/// without an offset is taken as UTC.
/// </summary>
public sealed class VtexDateTimeConverter : JsonConverter<DateTimeOffset>
{
    public const string Expected = "a date-time string such as \"2026-11-28T10:00:00Z\", \"2026-11-28 10:00\" or \"2026-11-28\"";

    private static readonly string[] Formats =
        ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("expected a date string");
        var text = reader.GetString()!;
        if (DateTimeOffset.TryParseExact(text, Formats, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var local))
        {
            return local;
        }
        if (reader.TryGetDateTimeOffset(out var iso)) return iso;
        throw new JsonException("not a date");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>A request body that can say what is wrong with it, field by field (camelCase JSON paths).</summary>
public interface IValidatable
{
    Dictionary<string, string[]> Validate();
}
