using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace OrderGrains.Bench;

/// <summary>The PostgreSQL every durable backend and pgbench share: given, or a throwaway one started for the run.</summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string server;
    private readonly string? dataDir;

    private PostgresServer(string server, string? dataDir, string version) => (this.server, this.dataDir, Version) = (server, dataDir, version);

    public string Version { get; }

    public static async Task<PostgresServer> Start(string? given)
    {
        string? dir = null;
        if (given is null)
        {
            dir = Path.Combine(Path.GetTempPath(), "ordergrains-bench-pg-" + Environment.ProcessId);
            // Benchmarks run PostgreSQL with production durability: fsync, synchronous_commit and full_page_writes on.
            given = (await Run("bash", $"\"{Path.Combine(Root(), "silo-config", "postgres", "pg-throwaway.sh")}\" \"{dir}\" {Hosts.FreePort()}",
                ("OG_PG_DURABLE", "1"))).Trim().Split('\n')[^1];
        }
        await using var connection = new NpgsqlConnection(given);
        await connection.OpenAsync();
        if (dir is not null)
        {
            // Our own server: time its WAL flushes (pg_stat_wal), to show what a commit waits for at each level.
            await using var timing = new NpgsqlCommand("ALTER SYSTEM SET track_wal_io_timing = on; SELECT pg_reload_conf();", connection);
            await timing.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand(
            "SELECT current_setting('server_version') || ' (fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ')'", connection);
        return new PostgresServer(given, dir, (string)(await cmd.ExecuteScalarAsync())!);
    }

    /// <summary>A fresh database with the project's schema applied.</summary>
    public string Database(string name)
    {
        var database = $"{name}_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";
        using (var admin = new NpgsqlConnection(server))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {database} ENCODING 'UTF8' TEMPLATE template0", admin);
            create.ExecuteNonQuery();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, MaxPoolSize = 24 }.ConnectionString;
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        foreach (var migration in Directory.GetFiles(Path.Combine(Root(), "silo-config", "postgres", "migrations"), "*.sql").Order())
        {
            using var schema = new NpgsqlCommand(File.ReadAllText(migration), connection);
            schema.ExecuteNonQuery();
        }
        return connectionString;
    }

    /// <summary>
    /// Transactions committed so far in a database (pg_stat_database), read-only ones included. PostgreSQL flushes these
    /// statistics lazily (a backend that flushed less than a second ago holds its counts up to 10 s), so a reading is
    /// exact only after everything was idle for longer than that: <see cref="StatisticsSettle"/>.
    /// </summary>
    public long Transactions(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var stats = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = @d", connection);
        stats.Parameters.AddWithValue("d", database!);
        using var reader = stats.ExecuteReader();
        reader.NextResult();
        reader.Read();
        return reader.GetInt64(0);
    }

    /// <summary>How long to stay idle before <see cref="Transactions"/> is exact (PGSTAT_IDLE_INTERVAL is 10 s).</summary>
    public static readonly TimeSpan StatisticsSettle = TimeSpan.FromSeconds(11);

    /// <summary>
    /// Write commits so far, server-wide: transaction ids handed out (<c>pg_snapshot_xmax</c> of a fresh snapshot, which
    /// assigns none itself). Only a transaction that writes gets one, and only those write a commit record and wait for
    /// the WAL flush; the count is exact at once, with no statistics lag.
    /// </summary>
    public long WriteCommits()
    {
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", connection);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Bytes of WAL written so far, server-wide (<c>pg_current_wal_lsn</c>): what a lifecycle costs the disk and a replica.</summary>
    public long WalBytes()
    {
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", connection);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// WAL flushes so far, server-wide (<c>pg_stat_wal</c>): how many, and the milliseconds spent in them (0 unless
    /// <c>track_wal_io_timing</c> is on, as on the benchmark's own server). A commit returns after the flush that covers it.
    /// </summary>
    public (long Flushes, double Milliseconds) WalFlushes()
    {
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT wal_sync, wal_sync_time FROM pg_stat_wal", connection);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetDouble(1));
    }

    /// <summary>The change log and the state rows of a grains database: entries, their average stored size, and the average state row.</summary>
    public (long Entries, double EntryBytes, long Orders, double StateRowBytes) StorageSizes(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM og_change_log),
                   (SELECT coalesce(avg(pg_column_size(l.*)), 0)::float8 FROM og_change_log l),
                   (SELECT count(DISTINCT order_id) FROM og_change_log),
                   (SELECT coalesce(avg(pg_column_size(s.*)), 0)::float8 FROM OrleansStorage s WHERE GrainTypeString IN ('sellerOrder', 'marketplaceOrder'))
            """, connection);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2), reader.GetDouble(3));
    }

    private string? pgbenchDatabase;

    /// <summary>pgbench -N (simple update) on the same server, at the same client count: this disk's commit rate.</summary>
    public async Task<Sample> PgBench(int clients, double seconds)
    {
        var b = new NpgsqlConnectionStringBuilder(server);
        if (pgbenchDatabase is null)
        {
            pgbenchDatabase = Database("pgbench");
            await Run(PgBin("pgbench"), $"-i -q -s 4 -h {b.Host} -p {b.Port} -U {b.Username} {new NpgsqlConnectionStringBuilder(pgbenchDatabase).Database}");
        }
        var output = await Run(PgBin("pgbench"), $"-N -n -c {clients} -j {Math.Min(clients, 4)} -T {Math.Max(1, (int)Math.Round(seconds))} -h {b.Host} -p {b.Port} -U {b.Username} {new NpgsqlConnectionStringBuilder(pgbenchDatabase).Database}");
        var line = output.Split('\n').First(l => l.StartsWith("tps = "));
        return new Sample(double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture), 0);
    }

    private static string PgBin(string tool) =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Order().Select(d => Path.Combine(d, "bin", tool)).Last(File.Exists)
            : tool;

    public async ValueTask DisposeAsync()
    {
        if (dataDir is not null) await Run("bash", $"\"{Path.Combine(Root(), "silo-config", "postgres", "pg-throwaway.sh")}\" stop \"{dataDir}\"");
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OrderGrains.sln"))) return dir.FullName;
        throw new InvalidOperationException("run the benchmark from the repository");
    }

    private static async Task<string> Run(string file, string arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGPASSWORD"] = "postgres";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: {await stderr}");
        return await stdout;
    }
}
