using System.Data.Common;
using Npgsql;

namespace OrderGrains.Api;

/// <summary>The connection string Orleans' ADO.NET providers get.</summary>
public static class PostgresConnections
{
    /// <summary>
    /// The configured connection string plus two Npgsql settings suited to Orleans' short, repeated statements,
    /// unless the configuration sets them itself:
    /// <c>No Reset On Close=true</c> (the providers keep no session state, so the DISCARD ALL that Npgsql sends
    /// with each pooled connection's next use is a wasted statement — a third of all statements in a lifecycle)
    /// and <c>Max Auto Prepare=32</c> (the same few statements run thousands of times: parse and plan them once
    /// per connection).
    /// </summary>
    public static string ForOrleans(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            tuned.NoResetOnClose = true;
        }
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            tuned.MaxAutoPrepare = 32;
        }
        return tuned.ConnectionString;
    }
}
