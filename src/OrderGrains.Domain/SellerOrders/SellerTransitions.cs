using K = OrderGrains.Domain.SellerOrders.SellerCommandKind;
using static OrderGrains.Domain.SellerOrderStatus;

namespace OrderGrains.Domain.SellerOrders;

/// <summary>
/// THE seller-order transition table (domain.md §2 and §4). Every (status, command) pair not listed
/// here is rejected with a reason. The README's diagram is generated from this table.
/// Placing an order (from no order) is the one transition not in the table.
/// </summary>
public static class SellerTransitions
{
    public static IReadOnlyList<Transition<SellerOrderStatus, SellerCommandKind>> Table { get; } =
    [
        Row(OrderAccepted, K.AuthorizeFulfillment, [WindowToCancel], "payment approved: the marketplace authorizes fulfilment"),
        Row(OrderAccepted, K.CancelByMarketplace, [Canceled], "inside the window a cancel applies at once"),
        Row(OrderAccepted, K.CancelByCustomer, [Canceled], "inside the window a cancel applies at once"),
        Row(OrderAccepted, K.CancelBySeller, [Canceled], "inside the window a cancel applies at once"),
        Row(OrderAccepted, K.DeadlineReached, [Canceled], "no authorization before the authorization deadline"),

        Row(WindowToCancel, K.WindowExpired, [ReadyForHandling], "the cancellation window has passed"),
        Row(WindowToCancel, K.CancelByMarketplace, [Canceled], "inside the window a cancel applies at once"),
        Row(WindowToCancel, K.CancelByCustomer, [Canceled], "inside the window a cancel applies at once"),
        Row(WindowToCancel, K.CancelBySeller, [Canceled], "inside the window a cancel applies at once"),

        Row(ReadyForHandling, K.StartHandling, [Handling], "the seller starts handling"),
        Row(ReadyForHandling, K.CancelByMarketplace, [CancellationRequested], "after the window a cancel opens a request"),
        Row(ReadyForHandling, K.CancelByCustomer, [CancellationRequested], "after the window a cancel opens a request"),
        Row(ReadyForHandling, K.CancelBySeller, [CancellationRequested], "the seller's first click opens a request"),

        Row(Handling, K.Invoice, [Handling, Invoiced], "a partial invoice stays in handling; invoices summing to the total invoice the order"),
        Row(Handling, K.UpdateInvoice, [Handling], "shipping details of a partial invoice"),
        Row(Handling, K.UpdateTracking, [Handling], "tracking of a partial invoice"),
        Row(Handling, K.CancelByMarketplace, [CancellationRequested], "after the window a cancel opens a request"),
        Row(Handling, K.CancelByCustomer, [CancellationRequested], "after the window a cancel opens a request"),
        Row(Handling, K.CancelBySeller, [CancellationRequested], "the seller's first click opens a request"),

        Row(CancellationRequested, K.AcceptCancellationRequest, [Canceled], "the seller accepts (or confirms its own) request"),
        Row(CancellationRequested, K.DenyCancellationRequest, [ReadyForHandling, Handling], "the seller denies; its own request is withdrawn instead"),
        Row(CancellationRequested, K.WithdrawCancellationRequest, [ReadyForHandling, Handling], "the requester withdraws"),
        Row(CancellationRequested, K.Invoice, [Handling, Invoiced], "an invoice answers the request as denied"),
        Row(CancellationRequested, K.UpdateInvoice, [CancellationRequested], "shipping details of a partial invoice"),
        Row(CancellationRequested, K.UpdateTracking, [CancellationRequested], "tracking of a partial invoice"),
        Row(CancellationRequested, K.CancelByMarketplace, [CancellationRequested, Canceled], "joins the marketplace's request, or agrees with the seller's"),
        Row(CancellationRequested, K.CancelByCustomer, [CancellationRequested, Canceled], "joins the marketplace's request, or agrees with the seller's"),
        Row(CancellationRequested, K.CancelBySeller, [CancellationRequested, Canceled], "joins the seller's request, or agrees with the marketplace's"),
        Row(CancellationRequested, K.DeadlineReached, [Canceled], "nobody decided before the request deadline: default outcome canceled"),

        Row(Invoiced, K.ReturnInvoice, [Invoiced], "a return (Input) invoice is recorded; the status does not change"),
        Row(Invoiced, K.UpdateInvoice, [Invoiced], "shipping details never change an invoiced order's status"),
        Row(Invoiced, K.UpdateTracking, [Invoiced], "tracking and delivery never change an invoiced order"),
    ];

    public static Transition<SellerOrderStatus, SellerCommandKind>? Find(SellerOrderStatus from, SellerCommandKind command) =>
        Table.FirstOrDefault(t => t.From == from && t.Command == command);

    private static Transition<SellerOrderStatus, SellerCommandKind> Row(
        SellerOrderStatus from, SellerCommandKind command, SellerOrderStatus[] to, string rule) => new(from, command, to, rule);
}
