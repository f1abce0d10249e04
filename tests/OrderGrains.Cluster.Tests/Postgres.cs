using System.Diagnostics;
using Npgsql;

namespace OrderGrains.Cluster.Tests;

/// <summary>
/// The PostgreSQL these tests run against: ORDERGRAINS_TEST_PG (what .ci/run starts), else a throwaway server
/// started here with silo-config/postgres/pg-throwaway.sh where the binaries exist. Under CI=true a missing
/// server fails the tests; elsewhere they are skipped. Each fixture gets a fresh database.
/// </summary>
public sealed class Postgres : IAsyncLifetime
{
    private string? dataDir;
    private int port;
    private bool own;

    /// <summary>A throwaway server of the test's own (never the shared one), which it may stop and start again.</summary>
    public static async Task<Postgres> Own()
    {
        var postgres = new Postgres { own = true };
        await postgres.InitializeAsync();
        return postgres;
    }

    /// <summary>Stops the test's own server (fast shutdown: sessions are cut).</summary>
    public Task Stop() => own ? Run("bash", $"\"{Path.Combine(Repo.Root, "silo-config", "postgres", "pg-throwaway.sh")}\" stop \"{dataDir}\"")
        : throw new InvalidOperationException("only a server of the test's own may be stopped");

    /// <summary>Starts the test's own server again, same data, same port.</summary>
    public Task Restart() => own ? Throwaway(dataDir!, port) : throw new InvalidOperationException("only a server of the test's own may be started");
    public string? ConnectionString { get; private set; }

    /// <summary>The server's own connection string (database "ordergrains" or the one given), for tests that create databases.</summary>
    public string? Server { get; private set; }
    public string? SkipReason { get; private set; }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        var server = own ? null : Environment.GetEnvironmentVariable("ORDERGRAINS_TEST_PG");
        if (string.IsNullOrEmpty(server))
        {
            if (!Directory.Exists("/usr/lib/postgresql") && !IsCi)
            {
                SkipReason = "no PostgreSQL: set ORDERGRAINS_TEST_PG or install the postgresql package (bash .ci/run does)";
                return;
            }
            dataDir = Path.Combine(Path.GetTempPath(), "ordergrains-pg-" + Guid.NewGuid().ToString("N")[..8]);
            port = Repo.FreePort();
            server = await Throwaway(dataDir, port);
        }
        Server = server;
        ConnectionString = await NewDatabase("og_", migrated: true);
    }

    /// <summary>
    /// A database of its own on this server (prefix + a random suffix), empty or with every migration applied, for a test
    /// that needs one no other test has touched (an unmigrated schema, a table without statistics).
    /// </summary>
    public async Task<string> NewDatabase(string prefix, bool migrated)
    {
        var database = prefix + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database} ENCODING 'UTF8' TEMPLATE template0", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(Server) { Database = database, Pooling = true }.ConnectionString;
        if (migrated)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            foreach (var migration in Directory.GetFiles(Path.Combine(Repo.Root, "silo-config", "postgres", "migrations"), "*.sql").Order())
            {
                await using var schema = new NpgsqlCommand(await File.ReadAllTextAsync(migration), connection);
                await schema.ExecuteNonQueryAsync();
            }
        }
        return connectionString;
    }

    public void SkipIfMissing() => Skip.If(SkipReason is not null, SkipReason);

    public async Task DisposeAsync()
    {
        if (dataDir is not null)
        {
            await Run("bash", $"\"{Path.Combine(Repo.Root, "silo-config", "postgres", "pg-throwaway.sh")}\" stop \"{dataDir}\"");
        }
    }

    private static async Task<string> Throwaway(string dir, int port)
    {
        var output = await Run("bash", $"\"{Path.Combine(Repo.Root, "silo-config", "postgres", "pg-throwaway.sh")}\" \"{dir}\" {port}");
        return output.Trim().Split('\n')[^1].Trim();
    }

    private static async Task<string> Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }
}
