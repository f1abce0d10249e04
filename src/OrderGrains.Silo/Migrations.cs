using System.Text.RegularExpressions;
using Npgsql;
using OrderGrains.Api;

namespace OrderGrains.Silo;

/// <summary>
/// The PostgreSQL schema as versioned migrations (<c>silo-config/postgres/migrations/NNNN_name.sql</c>), applied in
/// order by the <c>migrate</c> command — once per deploy, not by every silo at start-up. Each file is idempotent, runs
/// in its own transaction and records itself in <c>og_schema_migrations</c>; concurrent runs wait on an advisory lock.
/// A silo refuses to start on a database that is behind the migrations it ships with.
/// </summary>
public static partial class Migrations
{
    public const int ExitBehind = 4;

    public sealed record Migration(int Version, string Name, string Path);

    public static string Directory => System.IO.Path.Combine(SiloConfig.Directory, "postgres", "migrations");

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();

    public static IReadOnlyList<Migration> All() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.sql")
            .Select(path => (path, match: FileName().Match(System.IO.Path.GetFileName(path))))
            .Where(f => f.match.Success)
            .Select(f => new Migration(int.Parse(f.match.Groups[1].Value), System.IO.Path.GetFileNameWithoutExtension(f.path), f.path))
            .OrderBy(m => m.Version)];

    /// <summary>The versions the database has recorded (none for an empty database).</summary>
    public static async Task<IReadOnlySet<int>> Applied(NpgsqlConnection connection)
    {
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('og_schema_migrations') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync())!) return new HashSet<int>();
        }
        await using var command = new NpgsqlCommand("SELECT version FROM og_schema_migrations", connection);
        var versions = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) versions.Add(reader.GetInt32(0));
        return versions;
    }

    /// <summary>Applies every migration the database lacks, in order; returns the ones applied.</summary>
    public static async Task<IReadOnlyList<Migration>> Apply(string connectionString, TextWriter output)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('ordergrains.migrate'))", connection))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }
        var applied = await Applied(connection);
        var done = new List<Migration>();
        foreach (var migration in All().Where(m => !applied.Contains(m.Version)))
        {
            output.WriteLine($"migrate: applying {migration.Name}");
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(migration.Path), connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
            done.Add(migration);
        }
        return done;
    }

    /// <summary>Null when the database has every migration this build ships; otherwise the one-line reason it is behind.</summary>
    public static async Task<string?> Behind(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var applied = await Applied(connection);
        var missing = All().Where(m => !applied.Contains(m.Version)).Select(m => m.Name).ToList();
        return missing.Count == 0 ? null
            : $"OrderGrains cannot start: the database lacks migration{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}. " +
              "Run `dotnet OrderGrains.Silo.dll migrate` (or `dotnet run --project src/OrderGrains.Silo -- migrate`) once with the same configuration.";
    }

    /// <summary>The <c>migrate</c> command: exit 0 when the database is current, 1 on an error (one line).</summary>
    public static async Task<int> Command(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine("migrate: ConnectionStrings:OrderGrains is not set (environment ConnectionStrings__OrderGrains, or a profile such as --environment Postgres)");
            return 1;
        }
        try
        {
            var done = await Apply(connectionString, Console.Out);
            Console.WriteLine(done.Count == 0 ? $"migrate: the database is current ({All().Count} migrations)" : $"migrate: applied {done.Count}, the database is current");
            return 0;
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresException or IOException or InvalidOperationException)
        {
            Console.Error.WriteLine($"migrate: failed: {ex.Message}");
            return 1;
        }
    }
}
