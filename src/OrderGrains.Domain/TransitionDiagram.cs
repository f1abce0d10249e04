using System.Text;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Domain;

/// <summary>Renders the transition tables as Mermaid state diagrams; the README's diagrams are this output (a test checks).</summary>
public static class TransitionDiagram
{
    public static string Seller() => Render(
        "OrderAccepted: order-accepted", SellerTransitions.Table, s => s.Vtex(), c => Kebab(c.ToString()));

    public static string Marketplace() => Render(
        "PaymentPending: payment-pending", MarketplaceTransitions.Table, s => s.Vtex(), c => Kebab(c.ToString()));

    private static string Render<TStatus, TCommand>(
        string initial, IReadOnlyList<Transition<TStatus, TCommand>> table, Func<TStatus, string> name, Func<TCommand, string> command)
        where TStatus : struct, Enum where TCommand : struct, Enum
    {
        var sb = new StringBuilder("stateDiagram-v2\n");
        sb.Append("    [*] --> ").Append(initial.Split(':')[0]).Append(" : place\n");
        foreach (var group in table
            .SelectMany(t => t.To.Select(to => (From: t.From, To: to, Command: command(t.Command))))
            .GroupBy(t => (t.From, t.To)))
        {
            sb.Append("    ").Append(group.Key.From).Append(" --> ").Append(group.Key.To).Append(" : ")
              .Append(string.Join(", ", group.Select(g => g.Command).Distinct())).Append('\n');
        }
        foreach (var status in Enum.GetValues<TStatus>())
        {
            sb.Append("    ").Append(status).Append(" : ").Append(name(status)).Append('\n');
        }
        return sb.ToString();
    }

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) && i > 0 ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}
