using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrderGrains.Api.Auth;
using OrderGrains.Api.Http;
using OrderGrains.Api.Shapes;
using OrderGrains.Contracts;
using OrderGrains.Domain;

namespace OrderGrains.Api.Endpoints;

/// <summary>
/// VTEX's List orders and order-group lookup. Both read the order index (projected from the change log, one grain call
/// to <see cref="IOrderIndexGrain"/>), never grain state, scoped to the caller: a marketplace key sees its account's
/// orders, a seller key its own seller orders, an ops key every order.
/// </summary>
public static partial class OrderListsApi
{
    public const int MaxPerPage = 100;
    public const int MaxPage = 30; // VTEX: "restricted to the limit of 30 pages"

    public static IEndpointRouteBuilder MapOrderListsApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/oms/pvt/orders").WithTags("Orders");
        orders.MapGet("/", ListOrders).Allow(Role.Marketplace, Role.Seller, Role.Ops)
            .Produces<OrderListResponse>().WithSummary("VTEX's List orders: filters, sorting and paging over the order index.");
        orders.MapGet("/order-group/{orderGroup}", GetOrderGroup).Allow(Role.Marketplace, Role.Seller, Role.Ops)
            .Produces<OrderResponse[]>().WithSummary("Every order of an order group the caller may see, in VTEX's shape.");
        return app;
    }

    /// <summary>The query parameters List orders understands; any other <c>f_</c> filter of VTEX's is refused, not ignored.</summary>
    private static readonly HashSet<string> Known = ["f_status", "f_creationDate", "f_hasInputInvoice", "q", "orderBy", "page", "per_page"];

    private static readonly HashSet<string> Statuses =
    [
        .. Enum.GetValues<SellerOrderStatus>().Select(s => s.Vtex()),
        .. Enum.GetValues<MarketplaceOrderStatus>().Select(s => s.Vtex()),
    ];

    [GeneratedRegex(@"^creationDate:\[(?<from>[^\]]+?) TO (?<to>[^\]]+)\]$")]
    private static partial Regex CreationRange();

    private static async Task<IResult> ListOrders(HttpContext http, IGrainFactory grains)
    {
        var (query, problem) = Parse(http.Request.Query, http.Caller());
        if (problem is not null) return problem;

        var page = await grains.GetGrain<IOrderIndexGrain>(0).Query(query!);
        var sellerView = http.Caller().Role == Role.Seller;
        return Results.Json(new OrderListResponse(
            [.. page.Orders.Select(o => OrderListItemResponse.From(o, sellerView))],
            [],
            new PagingResponse(page.Total, (int)((page.Total + query!.PerPage - 1) / query.PerPage), query.Page, query.PerPage),
            new StatsResponse(new Dictionary<string, object>())));
    }

    private static async Task<IResult> GetOrderGroup(string orderGroup, HttpContext http, IGrainFactory grains)
    {
        if (!Shapes.Checks.IdPattern().IsMatch(orderGroup))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "INVALID_ORDER_GROUP", "An order group is 1-64 characters of letters, digits, '.', '_' or '-'.");
        }
        var caller = http.Caller();
        var query = Scoped(caller) with { OrderGroup = orderGroup, PerPage = MaxPerPage, Sort = OrderSort.OrderId, Descending = false };
        var page = await grains.GetGrain<IOrderIndexGrain>(0).Query(query);
        if (page.Orders.Count == 0)
        {
            return Problems.Result(StatusCodes.Status404NotFound, RejectionCodes.OrderNotFound, $"No order group {orderGroup}.");
        }
        // The documents themselves come from the orders (the index holds what lists need, not whole orders).
        var documents = await Task.WhenAll(page.Orders.Select(async o => caller.Role == Role.Seller
            ? (await grains.SellerOrder(o.SellerOrderId).GetView()) is { } s
                ? OrderResponse.From(s, o.OrderGroup, null, await EndpointSupport.Context(http, grains, o.MarketplaceOrderId)) : null
            : (await grains.MarketplaceOrder(o.MarketplaceOrderId).GetView()) is { } m
                ? OrderResponse.From(m, await EndpointSupport.Context(http, grains, o.MarketplaceOrderId)) : null));
        return Results.Json(documents.OfType<OrderResponse>().ToArray());
    }

    private static OrderQuery Scoped(Caller caller) => new(
        caller.VisibleAccount,
        caller.VisibleSeller,
        [], null, null, null, null, null, OrderSort.CreationDate, Descending: true, Page: 1, PerPage: 15);

    /// <summary>VTEX's query string as an index query, or the 400 that names what is wrong.</summary>
    public static (OrderQuery? Query, IResult? Problem) Parse(IQueryCollection parameters, Caller caller)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];
        string? One(string name) => parameters.TryGetValue(name, out var values) ? values.ToString() : null;

        foreach (var name in parameters.Keys.Where(k => !Known.Contains(k) && (k.StartsWith("f_", StringComparison.Ordinal) || k is "incompleteOrders" or "searchField" or "salesChannelId")))
        {
            Error(name, "is one of VTEX's filters that OrderGrains does not support; leave it out");
        }

        var query = Scoped(caller);
        if (One("f_status") is { } statusText)
        {
            var statuses = statusText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = statuses.Where(s => !Statuses.Contains(s)).ToList();
            if (unknown.Count > 0) Error("f_status", $"unknown status {string.Join(", ", unknown)}; use {string.Join(", ", Statuses.Order())}");
            query = query with { Statuses = statuses };
        }
        if (One("f_creationDate") is { } range)
        {
            var match = CreationRange().Match(range);
            if (match.Success && Date(match.Groups["from"].Value) is { } from && Date(match.Groups["to"].Value) is { } to)
            {
                query = query with { CreatedFrom = from, CreatedTo = to };
            }
            else
            {
                Error("f_creationDate", "must be creationDate:[FROM TO TO] with ISO 8601 dates, e.g. creationDate:[2026-01-01T00:00:00.000Z TO 2026-01-31T23:59:59.999Z]");
            }
        }
        if (One("f_hasInputInvoice") is { } input)
        {
            if (bool.TryParse(input, out var hasInput)) query = query with { HasInputInvoice = hasInput };
            else Error("f_hasInputInvoice", "must be true or false");
        }
        if (One("q") is { } text)
        {
            if (text.Length is 0 or > 100 || text.Contains('+')) Error("q", "must be 1-100 characters, without '+'");
            else query = query with { Text = text };
        }
        if (One("orderBy") is { } orderBy)
        {
            var parts = orderBy.Split(',');
            OrderSort? sort = parts[0] switch
            {
                "creationDate" or "origin" => OrderSort.CreationDate,
                "orderId" => OrderSort.OrderId,
                "totalValue" => OrderSort.TotalValue,
                "items" => OrderSort.Items,
                "lastChange" => OrderSort.LastChange,
                _ => null,
            };
            var direction = parts.Length > 1 ? parts[1] : "desc";
            if (sort is null || parts.Length > 2 || direction is not ("asc" or "desc"))
            {
                Error("orderBy", "must be FIELD,asc or FIELD,desc with FIELD one of creationDate, orderId, totalValue, items, origin, lastChange");
            }
            else
            {
                query = query with { Sort = sort.Value, Descending = direction == "desc" };
            }
        }
        if (One("page") is { } pageText)
        {
            if (int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page is >= 1 and <= MaxPage) query = query with { Page = page };
            else Error("page", $"must be a whole number from 1 to {MaxPage}");
        }
        if (One("per_page") is { } perPageText)
        {
            if (int.TryParse(perPageText, NumberStyles.None, CultureInfo.InvariantCulture, out var perPage) && perPage is >= 1 and <= MaxPerPage) query = query with { PerPage = perPage };
            else Error("per_page", $"must be a whole number from 1 to {MaxPerPage}");
        }
        return errors.Count > 0 ? (null, Problems.BadRequest("The query has invalid parameters.", errors)) : (query, null);
    }

    private static DateTimeOffset? Date(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date : null;
}
