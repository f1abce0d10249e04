using K = OrderGrains.Domain.MarketplaceOrders.MarketplaceCommandKind;
using static OrderGrains.Domain.MarketplaceOrderStatus;

namespace OrderGrains.Domain.MarketplaceOrders;

/// <summary>
/// THE marketplace-order transition table (domain.md §3). The marketplace order owns payment;
/// for everything else it mirrors the seller order (§5.3), so cancels are forwarded to the seller and
/// their outcome is the seller's answer (<see cref="Protocol.OrderPairProtocol"/>).
/// </summary>
public static class MarketplaceTransitions
{
    public static IReadOnlyList<Transition<MarketplaceOrderStatus, MarketplaceCommandKind>> Table { get; } =
    [
        Row(PaymentPending, K.PaymentApproved, [PaymentApproved], "the payment gateway approves; the seller is authorized"),
        Row(PaymentPending, K.PaymentDenied, [Canceled], "the payment gateway denies; the seller order is canceled"),
        Row(PaymentPending, K.CancelByMarketplace, [Canceled], "before payment a cancel applies at once"),
        Row(PaymentPending, K.CancelByCustomer, [Canceled], "before payment a cancel applies at once"),
        Row(PaymentPending, K.SellerChanged, [PaymentPending, Canceled], "the seller canceled (or its authorization deadline passed)"),

        Row(PaymentApproved, K.CancelByMarketplace, [Canceled, WaitingForSellerDecision], "canceled inside the seller's window, else a request waits at the seller"),
        Row(PaymentApproved, K.CancelByCustomer, [Canceled, WaitingForSellerDecision], "canceled inside the seller's window, else a request waits at the seller"),
        Row(PaymentApproved, K.SellerChanged, [PaymentApproved, WaitingForSellerDecision, Invoiced, Canceled], "mirrors the seller order"),

        Row(WaitingForSellerDecision, K.CancelByMarketplace, [WaitingForSellerDecision, Canceled], "joins the open request; canceled at once if the seller has meanwhile opened its own (they agree)"),
        Row(WaitingForSellerDecision, K.CancelByCustomer, [WaitingForSellerDecision, Canceled], "joins the open request; canceled at once if the seller has meanwhile opened its own (they agree)"),
        Row(WaitingForSellerDecision, K.WithdrawCancellationRequest, [PaymentApproved], "the marketplace takes its request back"),
        Row(WaitingForSellerDecision, K.SellerChanged, [WaitingForSellerDecision, PaymentApproved, Invoiced, Canceled], "seller accepts, denies, invoices, or the deadline cancels"),

        Row(Invoiced, K.SellerChanged, [Invoiced], "tracking and delivery updates refresh the invoiced order's copy of the seller"),
    ];

    public static Transition<MarketplaceOrderStatus, MarketplaceCommandKind>? Find(MarketplaceOrderStatus from, MarketplaceCommandKind command) =>
        Table.FirstOrDefault(t => t.From == from && t.Command == command);

    private static Transition<MarketplaceOrderStatus, MarketplaceCommandKind> Row(
        MarketplaceOrderStatus from, MarketplaceCommandKind command, MarketplaceOrderStatus[] to, string rule) => new(from, command, to, rule);
}
