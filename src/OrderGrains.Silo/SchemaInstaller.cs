using Npgsql;

namespace OrderGrains.Silo;

/// <summary>Applies silo-config/postgres/schema.sql (idempotent, serialized by an advisory lock) — the start-up option Silo:ApplySchema.</summary>
public static class SchemaInstaller
{
    public static void Apply(string connectionString, string schemaPath)
    {
        if (!File.Exists(schemaPath))
        {
            throw new InvalidOperationException($"Silo:ApplySchema is set but {schemaPath} does not exist");
        }
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(File.ReadAllText(schemaPath), connection) { CommandTimeout = 120 };
        command.ExecuteNonQuery();
    }
}
