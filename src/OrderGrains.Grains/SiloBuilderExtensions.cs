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
                    && o.DeadlineSweep >= TimeSpan.FromMilliseconds(100),
                "ChangeLog: MaxIdlePoll at least 00:00:00.1, BatchSize 1-10000, Retention at least 01:00:00, PurgePeriod at least 00:01:00, " +
                "CursorInterval between 0 and MaxIdlePoll, DeadlineSweep at least 00:00:00.1")
            .ValidateOnStart();
        silo.Services.AddHostedService<ChangeLogReaders>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSerializer(s => s.AddOrderGrainsSerialization());
        return silo;
    }

    /// <summary>Everything in memory: one process, nothing survives a restart (the Development profile and most tests).</summary>
    /// <param name="log">
    /// The in-memory change log. Its one silo's own by default; silos of one in-process test cluster must share one
    /// instance, as they share the memory storage (which lives in grains).
    /// </param>
    public static ISiloBuilder AddInMemoryOrderStorage(this ISiloBuilder silo, MemoryChangeLog? log = null)
    {
        // The same System.Text.Json serializer as on PostgreSQL (the memory default is Newtonsoft, ~3× the CPU per write).
        silo.Services.AddOptions<MemoryGrainStorageOptions>(StorageNames.Orders).Configure(o => o.GrainStorageSerializer = new DomainJsonStorageSerializer());
        // The change log in memory: a seller order's state write appends its entry (ChangeLogStorage), as migrations/0001_schema.sql does on PostgreSQL.
        silo.Services.AddSingleton(log ?? new MemoryChangeLog());
        silo.Services.AddSingleton<IChangeLog>(sp => sp.GetRequiredService<MemoryChangeLog>());
        silo.Services.AddGrainStorage(StorageNames.Orders, (sp, name) =>
            new ChangeLogStorage(MemoryGrainStorageFactory.Create(sp, name), sp.GetRequiredService<MemoryChangeLog>()));
        return silo.UseInMemoryReminderService();
    }
}
