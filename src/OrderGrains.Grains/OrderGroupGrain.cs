using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;

namespace OrderGrains.Grains;

/// <summary>
/// Splits an order group per seller: <c>{group}-01</c>, <c>-02</c>, … in the order sellers first appear,
/// each with seller order <c>{affiliateId}-{orderId}</c> (domain.md §1).
/// </summary>
public sealed class OrderGroupGrain(
    [PersistentState("orderGroup", StorageNames.Orders)] IPersistentState<OrderGroupState> state) : Grain, IOrderGroupGrain
{
    public async Task<OrderGroupReply> Place(PlaceOrderGroup command)
    {
        var group = this.GetPrimaryKeyString();
        if (state.State.Placed is { } placed)
        {
            return placed.Request.AffiliateId == command.AffiliateId && placed.Request.Account == command.Account && placed.Request.Items.SequenceEqual(command.Items)
                ? placed.Reply with { Outcome = CommandOutcome.Replayed, Message = "order group already placed" }
                : new OrderGroupReply(CommandOutcome.Rejected, RejectionCodes.OrderAlreadyExists, $"order group {group} already exists with other content", group, placed.Reply.Orders);
        }

        var bySeller = command.Items.GroupBy(i => i.SellerId).ToList();
        var orders = new List<PlacedOrder>();
        for (var n = 0; n < bySeller.Count; n++)
        {
            var orderId = $"{group}-{n + 1:00}";
            var sellerOrderId = $"{command.AffiliateId}-{orderId}";
            var items = bySeller[n].Select(i => new OrderItem(i.SkuId, i.Quantity, i.Price)).ToList();
            var reply = await GrainFactory.GetGrain<IMarketplaceOrderGrain>(orderId)
                .Place(new PlaceMarketplaceOrder(orderId, group, sellerOrderId, bySeller[n].Key, items, command.Account));
            if (reply.Outcome == CommandOutcome.Rejected)
            {
                return new OrderGroupReply(CommandOutcome.Rejected, reply.Code, $"order {orderId}: {reply.Message}", group, orders);
            }
            orders.Add(new PlacedOrder(orderId, sellerOrderId, bySeller[n].Key, items.Sum(i => i.Price * i.Quantity)));
        }

        var result = new OrderGroupReply(CommandOutcome.Accepted, null, $"order group placed with {orders.Count} order(s)", group, orders);
        state.State.Placed = new PlacedGroup(command, result);
        await state.WriteStateAsync();
        // Placed for good: nothing more happens here unless the same group is placed again or read, and both
        // reload the stored placement. Leaving now keeps one activation per sale instead of three.
        DeactivateOnIdle();
        return result;
    }

    public Task<OrderGroupReply?> Get() => Task.FromResult(state.State.Placed?.Reply);
}

[GenerateSerializer, Alias("OrderGrains.OrderGroupState")]
public sealed class OrderGroupState
{
    [Id(0)] public PlacedGroup? Placed { get; set; }
}

[GenerateSerializer, Immutable, Alias("OrderGrains.PlacedGroup")]
public sealed record PlacedGroup([property: Id(0)] PlaceOrderGroup Request, [property: Id(1)] OrderGroupReply Reply);
