using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>The change log tells ops which changes a consumer has not been recorded as receiving, once they are old enough to worry.</summary>
public class UndeliveredTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static SellerOrderState Order(string id, long sequence) => new()
    {
        SellerOrderId = "SLR-" + id, MarketplaceOrderId = id, SellerId = "seller1", Sequence = sequence, Status = SellerOrderStatus.OrderAccepted,
        Items = [new OrderItem("sku", 1, 100)], Value = 100,
    };

    [Fact]
    public async Task Undelivered_ListsOnlyEntriesPastTheCursor_OlderThanTheThreshold()
    {
        var clock = new Clock();
        var log = new MemoryChangeLog(clock);
        log.Append(Order("a-01", 1));
        log.Append(Order("b-01", 1));
        clock.Now += TimeSpan.FromMinutes(5);
        log.Append(Order("c-01", 1)); // recent: not yet a worry
        var partitionA = ChangeLogPartitions.Of("a-01");
        var a = (await log.Read(partitionA, default, 10)).Entries.Single(e => e.StreamKey == "a-01");
        await log.SaveCursor("mirror", partitionA, new LogCursor(a.Txid, a.Position)); // a-01 delivered

        var behind = await log.Undelivered("mirror", TimeSpan.FromMinutes(1), 10);

        Assert.Contains(behind, e => e.StreamKey == "b-01");
        Assert.DoesNotContain(behind, e => e.StreamKey == "a-01");
        Assert.DoesNotContain(behind, e => e.StreamKey == "c-01");
    }
}
