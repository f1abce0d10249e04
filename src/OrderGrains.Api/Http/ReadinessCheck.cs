using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrderGrains.Contracts;

namespace OrderGrains.Api.Http;

/// <summary>Ready when a grain call goes through the cluster and back within two seconds.</summary>
public sealed class ReadinessCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IOrderGroupGrain>("health-probe").Ping().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy("the cluster answers");
        }
        catch (Exception ex) when (ex is TimeoutException || ErrorHandling.IsClusterUnavailable(ex) || ex is InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"the cluster does not answer: {ex.GetType().Name}");
        }
    }
}
