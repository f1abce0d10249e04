using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OrderGrains.Api.OpenApi;

/// <summary>
/// The API's contract: <c>openapi.json</c> beside this file, written by hand and served as it is at <see cref="Path"/>.
/// Tests keep it true: every live answer must validate against it, every /api route must be in it, and Redocly's
/// linter must find no error in it. (A generated document listed the dashboard, marked every field required and
/// knew none of the error answers.)
/// </summary>
public static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";

    private static readonly Lazy<byte[]> Bytes = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("OrderGrains.Api.OpenApi.openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded in OrderGrains.Api");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The document's bytes (UTF-8 JSON).</summary>
    public static byte[] Content => Bytes.Value;

    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, () => Results.Bytes(Content, "application/json")).ExcludeFromDescription();
        return app;
    }
}
