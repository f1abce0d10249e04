using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace OrderGrains.Api.Tests;

/// <summary>
/// An HTTP command costs one grain call in the common case (a marketplace on its marketplace order id, a seller on its
/// seller order id): tenancy and If-Match are checked inside the addressed grain's turn, not by a lookup first.
/// Counted with an outgoing call filter on the host: calls whose source is not a grain are the gateway's.
/// </summary>
public class GrainCallsPerCommandTests : IClassFixture<GrainCallsPerCommandTests.CountingFactory>
{
    private readonly CountingFactory factory;
    private readonly Api api;

    public GrainCallsPerCommandTests(CountingFactory factory)
    {
        this.factory = factory;
        api = new Api(factory.CreateCheckedClient());
    }

    public sealed class CountingFactory : ApiFactory
    {
        public GatewayCalls Calls { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IOutgoingGrainCallFilter>(Calls));
        }
    }

    /// <summary>Records every grain call made from outside a grain (the gateway's), by method name.</summary>
    public sealed class GatewayCalls : IOutgoingGrainCallFilter
    {
        private readonly ConcurrentQueue<string> calls = new();

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            var source = context.SourceId?.Type.ToString() ?? "";
            var fromGrain = source.Contains("order", StringComparison.OrdinalIgnoreCase) || source.Contains("changelog", StringComparison.OrdinalIgnoreCase)
                            || source.Contains("idempotency", StringComparison.OrdinalIgnoreCase);
            var target = context.TargetId.Type.ToString();
            if (!fromGrain && (target.Contains("order", StringComparison.OrdinalIgnoreCase)))
            {
                calls.Enqueue($"{target}.{context.InterfaceMethod?.Name}");
            }
            return context.Invoke();
        }

        public IReadOnlyList<string> Take()
        {
            var taken = new List<string>();
            while (calls.TryDequeue(out var call)) taken.Add(call);
            return taken;
        }
    }

    private async Task<IReadOnlyList<string>> CallsOf(HttpMethod method, string path, (string, string) as_, object? body = null, string? ifMatch = null,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        factory.Calls.Take();
        var (status, _, _) = await api.Send(Api.Request(method, path, as_, body, ifMatch: ifMatch));
        Assert.Equal(expected, status);
        return factory.Calls.Take();
    }

    [Fact]
    public async Task Lifecycle_EachCommandOnItsOwnOrderId_OneGrainCallEach()
    {
        var group = "v" + Guid.NewGuid().ToString("N")[..12];
        var place = await CallsOf(HttpMethod.Post, "/api/oms/pvt/orders", Keys.Marketplace,
            new { orderGroup = group, items = new[] { new { sellerId = "seller1", skuId = "sku", quantity = 2, price = 500 } } }, expected: HttpStatusCode.Created);
        var (orderId, sellerOrderId) = ($"{group}-01", $"SLR-{group}-01");

        var payment = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.Marketplace, new { status = "approved" });
        await api.WaitForStatus(sellerOrderId, Keys.Seller1, "ready-for-handling");
        var start = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller1, expected: HttpStatusCode.NoContent);
        var cancel = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/cancel", Keys.Marketplace, new { reason = "customer asked" });
        var deny = await CallsOf(HttpMethod.Post, $"/api/orders/pvt/document/{sellerOrderId}/deny-cancellation-request", Keys.Seller1,
            new { cancellationRequestId = $"{sellerOrderId}-cr1", denyReason = "already packed" });
        var invoice = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/invoice", Keys.Seller1, Api.Invoice());

        Assert.Equal(["marketplaceorder.Place"], place); // one seller, one call: no order-group grain in between
        Assert.Equal(["marketplaceorder.ApprovePayment"], payment);
        Assert.Equal(["sellerorder.StartHandling"], start);
        Assert.Equal(["marketplaceorder.Cancel"], cancel);
        Assert.Equal(["sellerorder.DenyCancellationRequest"], deny);
        Assert.Equal(["sellerorder.Invoice"], invoice);
    }

    [Fact]
    public async Task IfMatch_CheckedInTheSameCall_StaleVersionIs412WithOneCall()
    {
        var (_, sellerOrderId) = await api.Place();

        var stale = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/cancel", Keys.Seller1, new { reason = "out of stock" },
            ifMatch: "\"99\"", expected: HttpStatusCode.PreconditionFailed);

        Assert.Equal(["sellerorder.Cancel"], stale);
        Assert.Equal("order-accepted", await api.Status(sellerOrderId, Keys.Seller1));
    }

    [Fact]
    public async Task OtherTenantsOrder_OneCallThenTheFallbackLookup_Still404()
    {
        var (orderId, sellerOrderId) = await api.Place();

        var otherSeller = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{sellerOrderId}/start-handling", Keys.Seller2, expected: HttpStatusCode.NotFound);
        var otherMarketplace = await CallsOf(HttpMethod.Post, $"/api/oms/pvt/orders/{orderId}/payment-notification", Keys.OtherMarketplace,
            new { status = "approved" }, expected: HttpStatusCode.NotFound);

        Assert.Equal("sellerorder.StartHandling", otherSeller[0]);
        Assert.Equal("marketplaceorder.ApprovePayment", otherMarketplace[0]);
        Assert.Equal("payment-pending", await api.Status(orderId, Keys.Marketplace));
    }
}
