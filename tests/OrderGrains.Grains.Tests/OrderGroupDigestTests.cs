using System.Security.Cryptography;
using System.Text;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.Documents;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// The group digest stored with every placed marketplace order decides whether a placement sent again is a replay: it must
/// stay the value it always was, SHA-256 over the canonical text with the document's JSON appended as a string.
/// </summary>
public class OrderGroupDigestTests
{
    /// <summary>The digest as it was first computed: one string, then its UTF-8 bytes.</summary>
    private static string AsStoredBefore(PlaceOrderGroup command)
    {
        var text = new StringBuilder().Append(command.AffiliateId).Append('\n').Append(command.Account).Append('\n');
        foreach (var item in command.Items)
        {
            text.Append(item.SellerId).Append('\t').Append(item.SkuId).Append('\t').Append(item.Quantity).Append('\t').Append(item.Price).Append('\n');
        }
        if (command.Document is not null) text.Append(System.Text.Json.JsonSerializer.Serialize(command.Document, DomainJson.Options));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    private static readonly GroupItem[] Items = [new("seller1", "sku-1", 2, 500), new("seller2", "sku-ç", 1, 1999)];

    [Fact]
    public void Digest_WithADocument_IsTheDigestStoredBefore_NonAsciiIncluded()
    {
        var document = new GroupDocument(
            [new DocumentItem("sku-1", "seller1", 2, 500, 500, 500, Name: "Café torrado"), new DocumentItem("sku-ç", "seller2", 1, 1999, 1999, 1999)],
            ShippingData: new ShippingData(new Address(City: "São Paulo", ReceiverName: "João \"Jó\" <Lima>"), []));
        var command = new PlaceOrderGroup("SLR", Items, "acme", document);

        Assert.Equal(AsStoredBefore(command), OrderGroups.Digest(command));
    }

    [Fact]
    public void Digest_WithoutADocument_IsTheDigestStoredBefore()
    {
        var command = new PlaceOrderGroup("SLR", Items, "acme");

        Assert.Equal(AsStoredBefore(command), OrderGroups.Digest(command));
    }

    [Fact]
    public void Digest_DiffersWhenTheDocumentDiffers()
    {
        var one = new PlaceOrderGroup("SLR", Items, "acme", new GroupDocument([], ShippingData: new ShippingData(new Address(City: "Rio"), [])));
        var other = one with { Document = new GroupDocument([], ShippingData: new ShippingData(new Address(City: "Recife"), [])) };

        Assert.NotEqual(OrderGroups.Digest(one), OrderGroups.Digest(other));
    }
}
