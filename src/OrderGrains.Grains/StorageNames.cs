namespace OrderGrains.Grains;

public static class StorageNames
{
    /// <summary>Grain storage for orders and order groups.</summary>
    public const string Orders = "orders";

    /// <summary>The state names of the two order grains' rows (OrleansStorage.GrainTypeString).</summary>
    public const string SellerOrderState = "sellerOrder", MarketplaceOrderState = "marketplaceOrder";
}
