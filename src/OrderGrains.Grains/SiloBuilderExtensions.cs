using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
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
            .Validate(o => o.IdempotencyKeyRetention >= TimeSpan.FromHours(24), "Workflow:IdempotencyKeyRetention must be at least 1.00:00:00 (24 hours)")
            .ValidateOnStart();
        silo.Services.AddOptions<ChangeLogOptions>()
            .Bind(configuration.GetSection(ChangeLogOptions.SectionName))
            .Validate(o => o.MaxIdlePoll >= TimeSpan.FromMilliseconds(100) && o.BatchSize is >= 1 and <= 10_000
                    && o.Retention >= TimeSpan.FromHours(1) && o.PurgePeriod >= TimeSpan.FromMinutes(1)
                    && o.CursorInterval >= TimeSpan.Zero && o.CursorInterval <= o.MaxIdlePoll
                    && o.DeadlineSweep >= TimeSpan.FromMilliseconds(100)
                    && o.HeldBackPoll >= TimeSpan.FromMilliseconds(1) && o.HeldBackPoll <= o.MaxIdlePoll
                    && o.WakeDelay >= TimeSpan.Zero && o.WakeDelay <= o.MaxIdlePoll,
                "ChangeLog: MaxIdlePoll at least 00:00:00.1, BatchSize 1-10000, Retention at least 01:00:00, PurgePeriod at least 00:01:00, " +
                "CursorInterval between 0 and MaxIdlePoll, DeadlineSweep at least 00:00:00.1, HeldBackPoll between 00:00:00.001 and MaxIdlePoll, WakeDelay between 0 and MaxIdlePoll")
            .ValidateOnStart();
        silo.Services.AddOptions<HookOptions>()
            .Bind(configuration.GetSection(HookOptions.SectionName))
            .Validate(o => o.Timeout > TimeSpan.Zero && o.RetryBase > TimeSpan.Zero && o.RetryMax >= o.RetryBase
                    && o.Poll >= TimeSpan.FromMilliseconds(100) && o.Concurrency is >= 1 and <= 64 && o.Retention >= TimeSpan.FromHours(1),
                "Hooks: Timeout and RetryBase positive, RetryMax at least RetryBase, Poll at least 00:00:00.1, Concurrency 1-64, Retention at least 01:00:00")
            .ValidateOnStart();
        silo.Services.TryAddSingleton<HookHttp>();
        silo.Services.AddHostedService<ChangeLogReaders>();
        silo.Services.TryAddSingleton<ISellerChangePush, OneWaySellerChangePush>();
        silo.Services.TryAddSingleton<ChangeLogWakeups>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddKeyedSingleton<TimeProvider>(WorkflowClock.Key, (services, _) => services.GetRequiredService<TimeProvider>());
        silo.Services.AddSerializer(s => s.AddOrderGrainsSerialization());
        return silo;
    }

    /// <summary>The order storage behind its read guard (<see cref="GuardedStorage"/>).</summary>
    public static IGrainStorage Guarded(IServiceProvider services, IGrainStorage inner) => new GuardedStorage(inner,
        services.GetRequiredService<IOrderAlarms>(), services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<GuardedStorage>>());

    /// <summary>Everything in memory: one process, nothing survives a restart (the Development profile and most tests).</summary>
    /// <param name="storage">
    /// The order state and its change log (<see cref="MemoryOrderStorage"/>). Its one silo's own by default; silos of one
    /// in-process test cluster must share one instance.
    /// </param>
    public static ISiloBuilder AddInMemoryOrderStorage(this ISiloBuilder silo, MemoryOrderStorage? storage = null)
    {
        storage ??= new MemoryOrderStorage(new MemoryChangeLog());
        silo.Services.AddSingleton(storage.Log);
        silo.Services.AddSingleton<IChangeLog>(storage.Log);
        silo.Services.AddSingleton<IOrderIndex>(storage.Index);
        silo.Services.AddSingleton<IOrderFeeds>(storage.Index);
        silo.Services.AddSingleton<IOrderDocuments>(storage);
        silo.Services.AddSingleton<IOrderAlarms, MemoryOrderAlarms>();
        silo.Services.AddGrainStorage(StorageNames.Orders, (sp, _) => Guarded(sp, storage));
        return silo.UseInMemoryReminderService();
    }
}
