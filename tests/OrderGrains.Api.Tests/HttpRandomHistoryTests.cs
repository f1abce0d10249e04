using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;
using OrderGrains.Testing.Histories;
using Xunit.Abstractions;

namespace OrderGrains.Api.Tests;

/// <summary>
/// The history checker over HTTP: every command is a request to the gateway with the demo keys (every answer checked
/// against the OpenAPI document too), the state at rest is read from the grains. VTEX's 30-day deadlines here, so only
/// the zero cancellation window fires. ORDERGRAINS_HTTP_HISTORIES sets how many (300 by default).
/// </summary>
[Collection(ApiCollection.Name)]
public class HttpRandomHistoryTests(ApiFactory factory, ITestOutputHelper output)
{
    [Fact]
    public async Task RandomHistoriesOverHttp_EveryAnswerIsExplainedBySomeSerialOrder_AndPairsAgreeAtRest()
    {
        var seed = CheckerOptions.SeedFromEnvironment;
        var count = CheckerOptions.CountFromEnvironment("ORDERGRAINS_HTTP_HISTORIES", 300);
        output.WriteLine($"seed {seed} (ORDERGRAINS_HISTORY_SEED={seed} reproduces the run)");
        var started = DateTime.UtcNow;

        var report = await HistoryChecker.Run(new HttpSystem(new Api(factory.CreateCheckedClient()), factory.Services.GetRequiredService<IGrainFactory>()),
            new CheckerOptions(count, Parallel: 16, seed));

        output.WriteLine($"{report} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        Assert.True(report.Failures.Count == 0, $"seed {seed}: {report.Failures.Count} histories not explained; first:\n{report.Failures.FirstOrDefault()}");
        Assert.True(report.ConcurrentBatches > count, $"too few concurrent batches: {report}");
    }
}

/// <summary>The gateway over HTTP, as the marketplace's and the seller's systems call it.</summary>
public sealed class HttpSystem(Api api, IGrainFactory grains) : ISystemUnderTest
{
    public string Name => "HTTP gateway";
    public WorkflowTimings Timings { get; } = WorkflowTimings.Vtex with { CancellationWindow = TimeSpan.Zero };
    public TimeSpan AgreementTimeout => TimeSpan.FromSeconds(10);
    public TimeSpan DeadlineGrace => TimeSpan.FromSeconds(5);

    public async Task<IPairUnderTest> Place()
    {
        var (orderId, sellerOrderId) = await api.Place();
        var marketplace = grains.GetGrain<IMarketplaceOrderGrain>(orderId);
        var group = (await marketplace.GetView())!.OrderGroup;
        return new Pair(api, orderId, group, sellerOrderId, marketplace, grains.GetGrain<ISellerOrderGrain>(sellerOrderId));
    }

    private sealed class Pair(Api api, string orderId, string group, string sellerOrderId, IMarketplaceOrderGrain m, ISellerOrderGrain s)
        : GrainBackedPair(orderId, group, sellerOrderId, m, s)
    {
        public override Task<Answer> Run(Cmd c) => c.Act switch
        {
            Act.PaymentApproved => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{OrderId}/payment-notification", Keys.Marketplace, new { status = "approved" }),
            Act.PaymentDenied => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{OrderId}/payment-notification", Keys.Marketplace, new { status = "denied" }),
            Act.MarketplaceCancel => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{OrderId}/cancel", Keys.Marketplace, new { reason = "random" }),
            Act.CustomerCancel => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{OrderId}/cancel", Keys.Marketplace, new { reason = "random", requestedByUser = true }),
            Act.MarketplaceWithdraw => Send(HttpMethod.Post, $"/api/orders/pvt/document/{OrderId}/withdraw-cancellation-request", Keys.Marketplace, new { cancellationRequestId = c.RequestId }),
            Act.SellerCancel => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{SellerOrderId}/cancel", Keys.Seller1, new { reason = "random" }),
            Act.SellerAccept => Send(HttpMethod.Post, $"/api/orders/pvt/document/{SellerOrderId}/accept-cancellation-request", Keys.Seller1, new { cancellationRequestId = c.RequestId }),
            Act.SellerDeny => Send(HttpMethod.Post, $"/api/orders/pvt/document/{SellerOrderId}/deny-cancellation-request", Keys.Seller1, new { cancellationRequestId = c.RequestId, denyReason = "random" }),
            Act.SellerWithdraw => Send(HttpMethod.Post, $"/api/orders/pvt/document/{SellerOrderId}/withdraw-cancellation-request", Keys.Seller1, new { cancellationRequestId = c.RequestId }),
            Act.StartHandling => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{SellerOrderId}/start-handling", Keys.Seller1, null),
            Act.Tracking => Send(HttpMethod.Put, $"/api/oms/pvt/orders/{SellerOrderId}/invoice/INV-x/tracking", Keys.Seller1, new { isDelivered = false }),
            _ => Send(HttpMethod.Post, $"/api/oms/pvt/orders/{SellerOrderId}/invoice", Keys.Seller1, new
            {
                type = "Output",
                issuanceDate = "2026-11-28T10:00:00Z",
                invoiceNumber = c.InvoiceNumber,
                invoiceValue = c.Value,
                items = c.Act == Act.PartialInvoice ? new[] { new { id = "sku1", quantity = 1, price = c.Value } } : [],
            }),
        };

        private async Task<Answer> Send(HttpMethod method, string path, (string, string) key, object? body)
        {
            var (status, json, _) = await api.Send(method, path, key, body);
            if (status == HttpStatusCode.NoContent) return new Answer(CommandOutcome.Accepted, null, null);
            if ((int)status is >= 200 and < 300)
            {
                var outcome = json!["outcome"]!.GetValue<string>() == "replayed" ? CommandOutcome.Replayed : CommandOutcome.Accepted;
                return new Answer(outcome, null, json["cancellationRequestId"]?.GetValue<string>());
            }
            return new Answer(CommandOutcome.Rejected, json?["code"]?.GetValue<string>() ?? $"HTTP {(int)status}", null);
        }

        /// <summary>A rejection over HTTP names no request; start-handling answers 204 whether it moved the order or repeated a move.</summary>
        public override Answer Comparable(Cmd command, Answer modelled) => modelled switch
        {
            { Outcome: CommandOutcome.Rejected } => modelled with { RequestId = null },
            { Outcome: CommandOutcome.Replayed } when command.Act == Act.StartHandling => modelled with { Outcome = CommandOutcome.Accepted },
            _ when command.Act == Act.StartHandling => modelled with { RequestId = null },
            _ => modelled,
        };

    }
}
