using Npgsql;
using OrderGrains.Api;

namespace OrderGrains.Api.Tests;

public class PostgresConnectionsTests
{
    [Fact]
    public void ForOrleans_AddsNoResetOnCloseAndAutoPrepare_KeepingTheRest()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnections.ForOrleans("Host=db;Port=5433;Database=og;Username=u;Password=p"));

        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(32, tuned.MaxAutoPrepare);
        Assert.Equal(("db", 5433, "og", "u", "p"), (tuned.Host, tuned.Port, tuned.Database, tuned.Username, tuned.Password));
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0")]
    [InlineData("host=db;no reset on close=false;max auto prepare=0")]
    public void ForOrleans_LeavesSettingsTheOperatorChose(string given)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnections.ForOrleans(given));

        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
    }
}
