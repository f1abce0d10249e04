using OrderGrains.Domain.Documents;

namespace OrderGrains.Domain.Tests;

/// <summary>The arithmetic of splitting a group's document per seller: items, shipping lines, totals and payment shares.</summary>
public class OrderDocumentSplitTests
{
    private static DocumentItem Item(string id, string seller, int quantity, long price, long? selling = null, long tax = 0) =>
        new(id, seller, quantity, price, price, selling ?? price, Tax: tax);

    [Fact]
    public void Split_PaymentShares_AddUpToEachPayment_TheLastOrderTakesTheRoundingRest()
    {
        // Three orders of 100 each (a third of the group each): 1000 / 3 does not divide.
        var group = new GroupDocument([Item("a", "s1", 1, 100), Item("b", "s2", 1, 100), Item("c", "s3", 1, 100)],
            PaymentData: new PaymentSummary("tx", "m", [new Payment("p1", Value: 200), new Payment("p2", Value: 100)]));
        var documents = OrderDocuments.Split(group, "MKP", [[0], [1], [2]]);

        var p1 = documents.Select(d => d.PaymentData!.Payments[0].Value).ToArray();
        Assert.Equal([66, 66, 68], p1);
        Assert.Equal(200, p1.Sum());
        Assert.Equal(100, documents.Sum(d => d.PaymentData!.Payments[1].Value));
        Assert.All(documents, d => Assert.Equal(200, d.PaymentData!.Payments[0].ReferenceValue));
    }

    [Fact]
    public void Split_GivesEachOrderItsItems_ItsShippingLinesRenumbered_AndItsOwnTotals()
    {
        var group = new GroupDocument(
            [Item("a", "s1", 2, 1000, selling: 900, tax: 10), Item("b", "s2", 1, 500), Item("c", "s1", 3, 200)],
            ShippingData: new ShippingData(new Address(City: "Rio"), [new LogisticsInfo(2, "Normal", SellingPrice: 50), new LogisticsInfo(0, "Normal", SellingPrice: 300), new LogisticsInfo(1, "Express", SellingPrice: 150)]));
        var documents = OrderDocuments.Split(group, "MKP", [[0, 2], [1]]);

        Assert.Equal(["a", "c"], documents[0].Items.Select(i => i.Id));
        Assert.Equal([(0, 300L), (1, 50L)], documents[0].ShippingData!.LogisticsInfo.Select(l => (l.ItemIndex, l.SellingPrice)));
        Assert.Equal([(0, 150L)], documents[1].ShippingData!.LogisticsInfo.Select(l => (l.ItemIndex, l.SellingPrice)));
        Assert.Equal([("Items", 2600L), ("Discounts", -200L), ("Shipping", 350L), ("Tax", 20L)], documents[0].Totals.Select(t => (t.Id, t.Value)));
        Assert.Equal(2770, documents[0].Value);
        Assert.Equal(650, documents[1].Value);
        Assert.Equal("Rio", documents[1].ShippingData!.Address!.City);
        Assert.Equal(StorePreferences.Default, documents[0].StorePreferencesData);
    }
}
