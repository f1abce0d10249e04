using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace OrderGrains.Api.Tests;

/// <summary>
/// The served OpenAPI document as a checker of live answers: finds the operation a request hit, and says what is wrong
/// when the answer's status, media type or body is not what the document promises.
/// </summary>
public sealed class OpenApiContract
{
    private readonly JsonObject document;
    private readonly List<(Regex Pattern, string Template)> paths;
    private readonly ConcurrentDictionary<string, JsonSchema> schemas = new();

    public OpenApiContract(byte[] json)
    {
        document = JsonNode.Parse(json)!.AsObject();
        paths = [.. document["paths"]!.AsObject().Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^}]+}", "[^/]+") + "$"), p.Key))];
    }

    public JsonObject Document => document;

    /// <summary>The documented operation for this method and path, or null when no documented path matches.</summary>
    public (string Template, JsonObject Operation)? Find(HttpMethod method, string path)
    {
        foreach (var (pattern, template) in paths)
        {
            if (!pattern.IsMatch(path)) continue;
            return document["paths"]![template]![method.Method.ToLowerInvariant()] is JsonObject operation ? (template, operation) : null;
        }
        return null;
    }

    /// <summary>Every way the answer breaks the document; empty when it conforms (or the path is not an API path).</summary>
    public IReadOnlyList<string> Check(HttpMethod method, string path, HttpStatusCode status, string? mediaType, byte[] body)
    {
        var errors = new List<string>();
        var found = Find(method, path);
        if (found is null)
        {
            // Paths outside the document: the docs page, the dashboard, the redirect at /. An /api path that is not
            // documented may only be the generic 404/405 for an endpoint that does not exist.
            if (path.StartsWith("/api/", StringComparison.Ordinal) && status is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed))
            {
                errors.Add($"{method} {path} answered {(int)status} but is not in the document");
            }
            return errors;
        }
        var (template, operation) = found.Value;
        var where = $"{method} {template} → {(int)status}";
        var response = Resolve(operation["responses"]?[((int)status).ToString()] ?? operation["responses"]?["default"]);
        if (response is null)
        {
            errors.Add($"{where}: status not documented");
            return errors;
        }
        var content = response["content"]?.AsObject();
        if (body.Length == 0)
        {
            if (content is { Count: > 0 } && status != HttpStatusCode.NoContent) errors.Add($"{where}: documented with a body, answered none");
            return errors;
        }
        if (content is null || content.Count == 0)
        {
            errors.Add($"{where}: answered a body ({mediaType}) where the document has none");
            return errors;
        }
        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            errors.Add($"{where}: media type {mediaType ?? "(none)"} not documented (documented: {string.Join(", ", content.Select(c => c.Key))})");
            return errors;
        }
        if (media["schema"] is not JsonNode schemaNode || !(mediaType.EndsWith("/json", StringComparison.Ordinal) || mediaType.EndsWith("+json", StringComparison.Ordinal)))
        {
            return errors;
        }
        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            errors.Add($"{where}: body is not JSON");
            return errors;
        }
        var schema = schemas.GetOrAdd($"{template} {method} {(int)status} {mediaType}", _ => Compile(schemaNode));
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var details = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} ({d.SchemaLocation})")).Take(8);
            errors.Add($"{where}: body does not match the schema: {string.Join("; ", details)}\n  body: {System.Text.Encoding.UTF8.GetString(body)}");
        }
        return errors;
    }

    private JsonObject? Resolve(JsonNode? node)
    {
        while (node?["$ref"]?.GetValue<string>() is { } reference)
        {
            node = reference.TrimStart('#', '/').Split('/').Aggregate<string, JsonNode?>(document, (n, part) => n?[part.Replace("~1", "/").Replace("~0", "~")]);
        }
        return node as JsonObject;
    }

    /// <summary>A self-contained JSON Schema (2020-12, as OpenAPI 3.1 uses) with the document's component schemas as $defs.</summary>
    private JsonSchema Compile(JsonNode schema)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = document["components"]?["schemas"]?.DeepClone() ?? new JsonObject(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        };
        var text = root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://ordergrains.test/{Guid.NewGuid():N}"));
    }
}

/// <summary>Checks every answer that passes through it against the served document; a violation fails the request's test.</summary>
public sealed class ContractCheckingHandler(OpenApiContract contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var errors = contract.Check(request.Method, request.RequestUri!.AbsolutePath, response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (errors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("The answer does not match the served OpenAPI document:\n" + string.Join('\n', errors));
        }
        // The body was read; hand the test a fresh copy with the same headers.
        var copy = new ByteArrayContent(body);
        foreach (var header in response.Content.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = copy;
        return response;
    }
}
