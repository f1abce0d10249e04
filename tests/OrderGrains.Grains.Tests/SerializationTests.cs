using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains.Tests;

/// <summary>
/// Within a silo, domain values cross grain calls by reference (Serialization.AddOrderGrainsSerialization):
/// safe only while every domain type but the grain states is immutable. These tests hold both ends of that.
/// </summary>
public class SerializationTests
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(s => s.AddOrderGrainsSerialization())
        .BuildServiceProvider();

    [Fact]
    public void ImmutableDomainValue_CrossesAGrainCallAsTheSameInstance()
    {
        var view = SellerOrderView.From(PlacedState());

        var copy = Services.GetRequiredService<DeepCopier<SellerOrderView>>().Copy(view);

        Assert.Same(view, copy);
    }

    [Fact]
    public void GrainState_IsStillCopied()
    {
        var state = PlacedState();

        var copy = Services.GetRequiredService<DeepCopier<SellerOrderState>>().Copy(state);

        Assert.NotSame(state, copy);
        Assert.NotSame(state.Items, copy.Items);
        Assert.Equal(state.Items, copy.Items);
        Assert.Equal(state.SellerOrderId, copy.SellerOrderId);
    }

    [Fact]
    public void DomainValue_SurvivesTheWireFormat()
    {
        var view = SellerOrderView.From(PlacedState());
        var serializer = Services.GetRequiredService<Serializer<SellerOrderView>>();

        var back = serializer.Deserialize(serializer.SerializeToArray(view))!;

        Assert.Equal(view.SellerOrderId, back.SellerOrderId);
        Assert.Equal(view.Items, back.Items);
        Assert.Equal(view.Status, back.Status);
    }

    /// <summary>Fails when someone adds a settable property or a mutable collection to a type that is shared across calls.</summary>
    [Fact]
    public void EveryDomainTypeButTheStates_IsImmutable()
    {
        var offenders = typeof(SellerOrderView).Assembly.GetTypes()
            .Where(t => Serialization.IsDomainType(t) && !Serialization.MutableDomainTypes.Contains(t))
            .Where(t => !t.IsEnum && !(t.IsAbstract && t.IsSealed) && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null)
            .SelectMany(t => MutableMembers(t).Select(m => $"{t.Name}.{m}"))
            .ToList();

        Assert.Empty(offenders);
        Assert.Contains("Items (List`1)", MutableMembers(typeof(SellerOrderState))); // the check itself can see mutability
    }

    private static IEnumerable<string> MutableMembers(Type type)
    {
        const BindingFlags instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly;
        foreach (var property in type.GetProperties(instance))
        {
            var setter = property.SetMethod;
            if (setter is { IsPublic: true } && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
            {
                yield return property.Name + " (settable)";
            }
            if (IsMutableCollection(property.PropertyType))
            {
                yield return property.Name + $" ({property.PropertyType.Name})";
            }
        }
        foreach (var field in type.GetFields(instance).Where(f => !f.IsInitOnly))
        {
            yield return field.Name + " (writable field)";
        }
    }

    private static bool IsMutableCollection(Type type) =>
        type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(List<>) || d == typeof(Dictionary<,>) || d == typeof(HashSet<>)));

    private static SellerOrderState PlacedState()
    {
        var state = new SellerOrderState();
        SellerOrderDecider.Handle(state, new PlaceSellerOrder("SLR-t-01", "t-01", "seller1", [new OrderItem("sku", 2, 500)]),
            DateTimeOffset.UtcNow, WorkflowTimings.Vtex);
        return state;
    }
}
