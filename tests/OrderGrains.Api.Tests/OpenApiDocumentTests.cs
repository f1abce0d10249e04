using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrderGrains.Api.OpenApi;
using Xunit.Abstractions;

namespace OrderGrains.Api.Tests;

/// <summary>
/// The served OpenAPI document tells the truth and stays true: it is what /openapi/v1.json serves, it lists exactly the
/// API's routes, a real linter finds no error in it, and (through <see cref="ContractCheckingHandler"/>, which every API
/// test's client uses) every live answer validates against it.
/// </summary>
[Collection(ApiCollection.Name)]
public class OpenApiDocumentTests(ApiFactory factory, ITestOutputHelper output)
{
    [Fact]
    public async Task Served_IsTheDocumentInTheRepository_Anonymously()
    {
        using var http = factory.CreateDefaultClient();
        var response = await http.GetAsync(OpenApiDocument.Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(DocumentFile), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void EveryApiRoute_IsDocumented_AndEveryDocumentedOperationIsARoute()
    {
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/health/", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {Normalize(e.RoutePattern.RawText!)}"))
            .ToHashSet();
        var documented = factory.Contract.Document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Key is "get" or "post" or "put" or "patch" or "delete").Select(o => $"{o.Key.ToUpperInvariant()} {Normalize(p.Key)}"))
            .ToHashSet();

        Assert.Empty(routes.Except(documented));
        Assert.Empty(documented.Except(routes));
        Assert.Equal(32, documented.Count); // 30 API operations and the two health checks
    }

    [Fact]
    public void Document_HasSecurityOperationIdsAndProblemAnswers_AndNoDashboard()
    {
        var doc = factory.Contract.Document;
        var schemes = doc["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("X-VTEX-API-AppKey", schemes.Select(s => s.Value!["name"]?.GetValue<string>()).First(n => n == "X-VTEX-API-AppKey"));
        Assert.Contains(schemes, s => s.Value!["name"]?.GetValue<string>() == "X-VTEX-API-AppToken");
        Assert.Contains(schemes, s => s.Value!["scheme"]?.GetValue<string>() == "basic");
        Assert.DoesNotContain(doc["paths"]!.AsObject(), p => p.Key.StartsWith("/dashboard", StringComparison.Ordinal));

        var operations = doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Where(o => o.Value is JsonObject op && op["responses"] is not null)).ToList();
        Assert.Equal(operations.Count, operations.Select(o => o.Value!["operationId"]!.GetValue<string>()).Distinct().Count());
        foreach (var (method, operation) in operations.Where(o => o.Value!["security"] is not JsonArray { Count: 0 }))
        {
            var responses = operation!["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("401"), $"{operation["operationId"]} has no 401");
            Assert.True(responses.ContainsKey("503"), $"{operation["operationId"]} has no 503");
        }
    }

    [Fact]
    public void Checker_CatchesAnswersTheDocumentDoesNotDescribe()
    {
        var contract = factory.Contract;
        byte[] Json(string text) => System.Text.Encoding.UTF8.GetBytes(text);
        var problem = Json("{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"d\",\"code\":\"OMS003\",\"error\":{\"code\":\"OMS003\",\"message\":\"d\",\"exception\":null}}");

        // Conforming: a documented problem answer.
        Assert.Empty(contract.Check(HttpMethod.Post, "/api/oms/pvt/orders/v1-01/start-handling", HttpStatusCode.Conflict, "application/problem+json", problem));
        // An undocumented status, a wrong media type, a body that breaks the schema, a body where none is documented, a route not in the document.
        Assert.NotEmpty(contract.Check(HttpMethod.Post, "/api/oms/pvt/orders/v1-01/start-handling", HttpStatusCode.Created, "application/json", Json("{}")));
        Assert.NotEmpty(contract.Check(HttpMethod.Post, "/api/oms/pvt/orders/v1-01/start-handling", HttpStatusCode.Conflict, "text/html", Json("<p>")));
        Assert.NotEmpty(contract.Check(HttpMethod.Post, "/api/oms/pvt/orders/v1-01/start-handling", HttpStatusCode.Conflict, "application/problem+json", Json("{\"status\":\"409\"}")));
        // A problem without VTEX's error member.
        Assert.NotEmpty(contract.Check(HttpMethod.Post, "/api/oms/pvt/orders/v1-01/start-handling", HttpStatusCode.Conflict, "application/problem+json",
            Json("{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"d\",\"code\":\"OMS003\"}")));
        Assert.NotEmpty(contract.Check(HttpMethod.Post, "/api/oms/pvt/orders/v1-01/start-handling", HttpStatusCode.NoContent, "application/json", Json("{}")));
        Assert.NotEmpty(contract.Check(HttpMethod.Get, "/api/oms/pvt/orders/v1-01", HttpStatusCode.OK, "application/json", Json("{\"orderId\":1}")));
        Assert.NotEmpty(contract.Check(HttpMethod.Delete, "/api/oms/pvt/orders/v1-01", HttpStatusCode.OK, "application/json", Json("{}")));
    }

    [SkippableFact]
    public async Task RedoclyLint_FindsNoError()
    {
        var tools = Path.Combine(RepoRoot, "tools", "openapi-lint");
        var redocly = Path.Combine(tools, "node_modules", ".bin", "redocly");
        if (!File.Exists(redocly))
        {
            var npm = Which("npm");
            Skip.If(npm is null && Environment.GetEnvironmentVariable("CI") != "true", "npm is not installed (install Node.js, or run `npm ci --prefix tools/openapi-lint`)");
            Assert.True(npm is not null, "CI=true: npm is needed to run the OpenAPI linter");
            var (installed, installLog) = await Run(npm!, $"ci --prefix \"{tools}\" --no-audit --no-fund", RepoRoot);
            Assert.True(installed == 0, installLog);
        }
        var (exit, log) = await Run(redocly, $"lint \"{DocumentFile}\" --config \"{Path.Combine(RepoRoot, "src", "OrderGrains.Api", "OpenApi", "redocly.yaml")}\" --format=stylish", RepoRoot);
        output.WriteLine(log);

        Assert.True(exit == 0, log);
        Assert.DoesNotContain(" error ", log);
    }

    private static string Normalize(string template) => System.Text.RegularExpressions.Regex.Replace(template.TrimEnd('/'), @"\{[^}]+\}", "{}");

    private static string RepoRoot { get; } = FindRoot();

    private static string DocumentFile => Path.Combine(RepoRoot, "src", "OrderGrains.Api", "OpenApi", "openapi.json");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrderGrains.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static async Task<(int Exit, string Log)> Run(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
