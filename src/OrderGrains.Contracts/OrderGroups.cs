using System.Security.Cryptography;
using System.Text;
using OrderGrains.Domain;
using OrderGrains.Domain.Documents;
using OrderGrains.Domain.MarketplaceOrders;

namespace OrderGrains.Contracts;

/// <summary>
/// Places an order group: splits it per seller into <c>{group}-01</c>, <c>-02</c>, … in the order sellers first appear,
/// each with seller order <c>{affiliateId}-{orderId}</c> (domain.md §1), and places each marketplace order. It keeps no
/// state: each marketplace order stores the digest of the whole group request, so placing the same group again is a
/// replay order by order, and a group id placed before with any other content is refused at its first order, before
/// anything new is placed. A placement interrupted by a crash is completed by the retry. The gateway calls it directly
/// (one grain call per seller); <see cref="IOrderGroupGrain"/> runs the same inside the cluster.
/// </summary>
public static class OrderGroups
{
    public static async Task<OrderGroupReply> Place(IGrainFactory grains, string group, PlaceOrderGroup command)
    {
        var digest = Digest(command);
        var bySeller = command.Items.Select((item, index) => (item, index)).GroupBy(i => i.item.SellerId).ToList();
        var documents = command.Document is null ? null
            : OrderDocuments.Split(command.Document, command.AffiliateId, [.. bySeller.Select(s => (IReadOnlyList<int>)[.. s.Select(i => i.index)])]);
        var orders = new List<PlacedOrder>();
        var replayed = 0;
        for (var n = 0; n < bySeller.Count; n++)
        {
            var orderId = $"{group}-{n + 1:00}";
            var sellerOrderId = $"{command.AffiliateId}-{orderId}";
            var items = bySeller[n].Select(i => new OrderItem(i.item.SkuId, i.item.Quantity, i.item.Price)).ToList();
            var place = new PlaceMarketplaceOrder(orderId, group, sellerOrderId, bySeller[n].Key, items, command.Account, digest, documents?[n]);
            var reply = await grains.MarketplaceOrder(orderId).Place(place);
            if (reply.Outcome == CommandOutcome.Rejected)
            {
                var message = reply.Code == RejectionCodes.OrderAlreadyExists ? $"order group {group} already exists with other content" : $"order {orderId}: {reply.Message}";
                return new OrderGroupReply(CommandOutcome.Rejected, reply.Code, message, group, orders);
            }
            replayed += reply.Outcome == CommandOutcome.Replayed ? 1 : 0;
            orders.Add(new PlacedOrder(orderId, sellerOrderId, bySeller[n].Key, place.Value));
        }
        return replayed == orders.Count
            ? new OrderGroupReply(CommandOutcome.Replayed, null, "order group already placed", group, orders)
            : new OrderGroupReply(CommandOutcome.Accepted, null, $"order group placed with {orders.Count} order(s)", group, orders);
    }

    /// <summary>
    /// SHA-256 over the request's canonical text (affiliate, account, every item in order, and the document's JSON when there
    /// is one), first 16 bytes in hex. A group placed without a document keeps the digest it had before documents existed.
    /// The text is hashed in two parts, the document's JSON as the UTF-8 bytes the serializer writes (the same bytes as
    /// before: the digests stored with placed orders still match), not copied through a string builder and a string.
    /// </summary>
    public static string Digest(PlaceOrderGroup command)
    {
        var text = new StringBuilder().Append(command.AffiliateId).Append('\n').Append(command.Account).Append('\n');
        foreach (var item in command.Items)
        {
            text.Append(item.SellerId).Append('\t').Append(item.SkuId).Append('\t').Append(item.Quantity).Append('\t').Append(item.Price).Append('\n');
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        if (command.Document is not null)
        {
            hash.AppendData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(command.Document, DomainJson.Options));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }
}
