namespace OrderGrains.Cluster.Tests;

/// <summary>
/// The schema is migrated by a command, once per deploy: a silo refuses to start on a database that lacks a migration
/// (one line, exit 4), `migrate` applies what is missing and says so, and running it again changes nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public class MigrationTests(Postgres postgres)
{
    [SkippableFact]
    public async Task FreshDatabase_SiloRefuses_MigrateApplies_SecondMigrateIsANoOp_SiloStarts()
    {
        postgres.SkipIfMissing();
        var connection = await postgres.NewDatabase("og_mig_", migrated: false);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__OrderGrains"] = connection,
            ["Silo__ClusterId"] = "mig-" + Guid.NewGuid().ToString("N")[..8],
            ["Silo__SiloPort"] = Repo.FreePort().ToString(),
            ["Silo__GatewayPort"] = Repo.FreePort().ToString(),
            ["Auth__Keys__0__AppKey"] = "mk", ["Auth__Keys__0__AppToken"] = "marketplace-token-0123456789",
            ["Auth__Keys__0__Role"] = "marketplace", ["Auth__Keys__0__Account"] = "acme",
        };

        await using var refused = new HostProcess("OrderGrains.Silo", Repo.FreePort(), environment, profile: "Postgres");
        refused.Start();
        Assert.Equal(4, await refused.WaitForExit(TimeSpan.FromSeconds(60)));
        var reason = Assert.Single(refused.Log, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains("migrate", reason);
        Assert.Contains("0001_schema", reason);

        await using var first = new HostProcess("OrderGrains.Silo", Repo.FreePort(), environment, profile: "Postgres", arguments: "migrate");
        first.Start();
        Assert.Equal(0, await first.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(first.Log, l => l.Contains("applying 0001_schema", StringComparison.Ordinal));
        Assert.Contains(first.Log, l => l.Contains("applying 0002_retention", StringComparison.Ordinal));

        await using var second = new HostProcess("OrderGrains.Silo", Repo.FreePort(), environment, profile: "Postgres", arguments: "migrate");
        second.Start();
        Assert.Equal(0, await second.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain(second.Log, l => l.Contains("applying", StringComparison.Ordinal));
        Assert.Contains(second.Log, l => l.Contains("the database is current", StringComparison.Ordinal));

        await using var silo = new HostProcess("OrderGrains.Silo", Repo.FreePort(), environment, profile: "Postgres");
        silo.Start();
        await silo.WaitReady(TimeSpan.FromSeconds(90));
    }
}
