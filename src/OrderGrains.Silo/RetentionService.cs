using Microsoft.Extensions.Options;
using Npgsql;
using OrderGrains.Grains;

namespace OrderGrains.Silo;

/// <summary>
/// Keeps the PostgreSQL tables bounded: every <see cref="ChangeLogOptions.PurgePeriod"/> one silo (an advisory lock
/// picks it) deletes, in batches of <see cref="Batch"/>, change-log entries older than
/// <see cref="ChangeLogOptions.Retention"/> that every consumer has read, and Idempotency-Key records older than
/// <c>Workflow:IdempotencyKeyRetention</c> (schema: migrations/0002_retention.sql).
/// </summary>
public sealed partial class RetentionService(
    NpgsqlDataSource dataSource, string serviceId, IOptions<ChangeLogOptions> log, IOptions<WorkflowOptions> workflow, ILogger<RetentionService> logger)
    : BackgroundService
{
    public const int Batch = 1000;
    private const int MaxBatchesPerRun = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(log.Value.PurgePeriod);
        try
        {
            do
            {
                try
                {
                    await PurgeOnce(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or PostgresException or TimeoutException)
                {
                    LogPurgeFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: not a failure.
        }
    }

    /// <summary>One purge run; returns (log entries, idempotency records) deleted. Does nothing if another silo holds the lock.</summary>
    public async Task<(long Log, long Idempotency)> PurgeOnce(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('ordergrains.retention'))", connection))
        {
            if (!(bool)(await take.ExecuteScalarAsync(cancellationToken))!) return (0, 0);
        }
        try
        {
            var logDeleted = await Drain(connection, "og_purge_change_log", log.Value.Retention, cancellationToken);
            var keysDeleted = await Drain(connection, "og_purge_idempotency", workflow.Value.IdempotencyKeyRetention, cancellationToken);
            await using (var trend = new NpgsqlCommand("DELETE FROM og_status_trend WHERE service_id = $1 AND bucket < now() - interval '1 day'", connection))
            {
                trend.Parameters.Add(new() { Value = serviceId });
                await trend.ExecuteNonQueryAsync(cancellationToken); // the board shows an hour; a day of 10-minute buckets is plenty
            }
            if (logDeleted + keysDeleted > 0) LogPurged(logger, logDeleted, keysDeleted);
            return (logDeleted, keysDeleted);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('ordergrains.retention'))", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<long> Drain(NpgsqlConnection connection, string function, TimeSpan retention, CancellationToken cancellationToken)
    {
        long total = 0;
        for (var i = 0; i < MaxBatchesPerRun; i++)
        {
            await using var command = new NpgsqlCommand($"SELECT {function}($1, $2, $3)", connection);
            command.Parameters.Add(new() { Value = serviceId });
            command.Parameters.Add(new() { Value = retention });
            command.Parameters.Add(new() { Value = Batch });
            var deleted = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            total += deleted;
            if (deleted < Batch) break;
        }
        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {LogEntries} change-log entries and {Keys} idempotency records")]
    private static partial void LogPurged(ILogger logger, long logEntries, long keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention: purge failed ({Error}); next run at the next period")]
    private static partial void LogPurgeFailed(ILogger logger, string error);
}
