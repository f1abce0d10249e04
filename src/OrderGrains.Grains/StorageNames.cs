namespace OrderGrains.Grains;

public static class StorageNames
{
    /// <summary>Grain storage for orders and order groups.</summary>
    public const string Orders = "orders";
}
