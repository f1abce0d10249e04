using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrderGrains.Api.Auth;
using OrderGrains.Contracts;

namespace OrderGrains.Api.Http;

/// <summary>Marks an endpoint whose effects an <c>Idempotency-Key</c> makes safe to retry.</summary>
public sealed class IdempotentAttribute : Attribute;

/// <summary>
/// Idempotency-Key, scoped to the caller's AppKey: a replay with the same body gets the first response;
/// the same key with another body is 422; while the first is still running, 409. Keys live in grain state.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IGrainFactory grains)
{
    public const string Header = "Idempotency-Key";

    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IdempotentAttribute>() is null
        || !context.Request.Headers.TryGetValue(Header, out var values)
        || context.Items[typeof(Caller)] is not Caller caller
            ? next(context) // no key: passed straight on (no state machine of this middleware's own)
            : WithKey(context, values.ToString(), caller);

    private async Task WithKey(HttpContext context, string key, Caller caller)
    {
        if (key.Length is 0 or > 255 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            await Problems.Write(context, 400, "INVALID_IDEMPOTENCY_KEY", $"{Header} must be 1 to 255 visible ASCII characters.");
            return;
        }
        var body = await JsonBody.ReadLimited(context.Request);
        if (body is null)
        {
            await JsonBody.TooLarge().ExecuteAsync(context);
            return;
        }

        var hash = Hash(context.Request, body);
        var grain = grains.GetGrain<IIdempotencyGrain>($"{caller.AppKey}/{key}");
        var claim = await grain.Begin(hash);
        switch (claim.Kind)
        {
            case IdempotencyClaimKind.Completed:
                await Replay(context, claim.Response!);
                return;
            case IdempotencyClaimKind.InProgress:
                await Problems.Write(context, 409, "IDEMPOTENCY_KEY_IN_PROGRESS", $"A request with this {Header} is still running; retry later.");
                return;
            case IdempotencyClaimKind.Mismatch:
                await Problems.Write(context, 422, "IDEMPOTENCY_KEY_REUSED", $"This {Header} was used for a different request.");
                return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await grain.Abandon(hash);
            throw;
        }
        context.Response.Body = original;
        var response = context.Response;
        if (response.StatusCode < 500)
        {
            await grain.Complete(hash, new StoredResponse(response.StatusCode, response.ContentType, captured.ToArray(),
                response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null,
                response.Headers.Location.ToString() is { Length: > 0 } location ? location : null));
        }
        else
        {
            await grain.Abandon(hash);
        }
        if (captured.Length > 0)
        {
            response.ContentLength = captured.Length;
            captured.Position = 0;
            await captured.CopyToAsync(original, context.RequestAborted);
        }
    }

    private static async Task Replay(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.StatusCode;
        if (stored.ContentType is not null) context.Response.ContentType = stored.ContentType;
        if (stored.ETag is not null) context.Response.Headers.ETag = stored.ETag;
        if (stored.Location is not null) context.Response.Headers.Location = stored.Location;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        Telemetry.IdempotentReplays.Add(1);
        // A 204 (or any answer stored without a body) is replayed without one: writing even zero bytes to a 204
        // throws inside Kestrel, which then drops the keep-alive connection under the client's next request.
        if (stored.Body.Length > 0)
        {
            context.Response.ContentLength = stored.Body.Length;
            await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
        }
    }

    private static string Hash(HttpRequest request, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n{request.Headers.IfMatch}\n");
        return Convert.ToHexString(SHA256.HashData([.. head, .. body]));
    }
}
