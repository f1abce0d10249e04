using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Streams;
using OrderGrains.Contracts;

namespace OrderGrains.Grains;

public static class SiloBuilderExtensions
{
    /// <summary>Workflow options (validated on start), the clock and the serializer every OrderGrains silo needs.</summary>
    public static ISiloBuilder AddOrderGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddOptions<WorkflowOptions>()
            .Bind(configuration.GetSection(WorkflowOptions.SectionName))
            .Validate(o => o.CancellationWindow >= TimeSpan.Zero, "Workflow:CancellationWindow must be zero or positive (a TimeSpan such as 00:30:00)")
            .Validate(o => o.CancellationRequestDeadline > TimeSpan.Zero, "Workflow:CancellationRequestDeadline must be positive (a TimeSpan such as 30.00:00:00)")
            .Validate(o => o.AuthorizationDeadline > TimeSpan.Zero, "Workflow:AuthorizationDeadline must be positive (a TimeSpan such as 30.00:00:00)")
            .Validate(o => o.ReconcileInterval >= TimeSpan.FromMinutes(1), "Workflow:ReconcileInterval must be at least 00:01:00 (it is a reminder period)")
            .Validate(o => o.IdempotencyKeyRetention >= TimeSpan.FromHours(24), "Workflow:IdempotencyKeyRetention must be at least 1.00:00:00 (24 hours)")
            .ValidateOnStart();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSerializer(s => s.AddOrderGrainsSerialization());
        return silo;
    }

    /// <summary>Everything in memory: one process, nothing survives a restart (the Development profile and most tests).</summary>
    public static ISiloBuilder AddInMemoryOrderStorage(this ISiloBuilder silo) => silo
        // The same System.Text.Json serializer as on PostgreSQL (the memory default is Newtonsoft, ~3× the CPU per write).
        .AddMemoryGrainStorage(StorageNames.Orders, o => o.GrainStorageSerializer = new DomainJsonStorageSerializer())
        .AddMemoryStreams(StreamNames.Provider, b => b.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly))
        .UseInMemoryReminderService();
}
