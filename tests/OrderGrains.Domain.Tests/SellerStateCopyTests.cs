using System.Collections;
using System.Text.Json;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain.Tests;

/// <summary>
/// <see cref="SellerOrderState.Copy"/> keeps the state as it was before a step the decider then applies in place (a
/// zero cancellation window's deadline, written as its own earlier version): equal to the original, sharing nothing
/// the decider changes.
/// </summary>
public class SellerStateCopyTests
{
    private static SellerOrderState Populated() => SellerFixtures.WithRequest(SellerOrderStatus.Handling, Actor.Marketplace);

    [Fact]
    public void Copy_HasTheSameStoredJson()
    {
        var state = Populated();
        Assert.NotEmpty(state.CancellationRequests);
        Assert.NotEmpty(state.Invoices);

        Assert.Equal(JsonSerializer.Serialize(state, DomainJson.Options), JsonSerializer.Serialize(state.Copy(), DomainJson.Options));
    }

    [Fact]
    public void Copy_DoesNotChange_WhenTheOriginalTakesAStep()
    {
        var state = Populated();
        var copy = state.Copy();
        var before = JsonSerializer.Serialize(copy, DomainJson.Options);

        SellerFixtures.Run(state, new AcceptCancellationRequest(state.OpenRequest!.Id), SellerFixtures.Later);

        Assert.Equal(SellerOrderStatus.Canceled, state.Status);
        Assert.Equal(before, JsonSerializer.Serialize(copy, DomainJson.Options));
    }

    [Fact]
    public void Copy_HasItsOwnInstanceOfEveryCollection()
    {
        var state = Populated();
        var copy = state.Copy();

        // Every collection property, including any added later: the copy must not share it.
        foreach (var property in typeof(SellerOrderState).GetProperties().Where(p => p.CanWrite && typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string)))
        {
            Assert.False(ReferenceEquals(property.GetValue(state), property.GetValue(copy)), $"{property.Name} is shared by the copy");
        }
    }
}
