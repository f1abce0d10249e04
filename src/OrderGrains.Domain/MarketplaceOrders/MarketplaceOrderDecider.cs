using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;
using MarketplaceDecision = OrderGrains.Domain.Decision<OrderGrains.Domain.MarketplaceOrders.MarketplaceEvent, OrderGrains.Domain.MarketplaceOrderStatus>;

namespace OrderGrains.Domain.MarketplaceOrders;

public static class MarketplaceOrderDecider
{
    public const string MirrorConflict = "MIRROR_CONFLICT";

    /// <summary>domain.md §5.3: the marketplace status that agrees with a seller order.</summary>
    public static MarketplaceOrderStatus Expected(PaymentStatus payment, SellerOrderView seller) => seller.Status switch
    {
        SellerOrderStatus.OrderAccepted => payment == PaymentStatus.Approved ? MarketplaceOrderStatus.PaymentApproved : MarketplaceOrderStatus.PaymentPending,
        SellerOrderStatus.WindowToCancel or SellerOrderStatus.ReadyForHandling or SellerOrderStatus.Handling => MarketplaceOrderStatus.PaymentApproved,
        SellerOrderStatus.CancellationRequested => seller.OpenRequest?.RequestedBy.IsMarketplaceSide() == true
            ? MarketplaceOrderStatus.WaitingForSellerDecision
            : MarketplaceOrderStatus.PaymentApproved,
        SellerOrderStatus.Invoiced => MarketplaceOrderStatus.Invoiced,
        SellerOrderStatus.Canceled => MarketplaceOrderStatus.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(seller), seller.Status, null),
    };

    public static MarketplaceDecision Decide(MarketplaceOrderState state, MarketplaceCommand command, DateTimeOffset now)
    {
        if (!state.Exists || command is PlaceMarketplaceOrder)
        {
            return command switch
            {
                PlaceMarketplaceOrder place when !state.Exists => MarketplaceDecision.Accept(MarketplaceOrderStatus.PaymentPending,
                    "order placed; waits for the payment gateway",
                    new MarketplaceOrderPlaced(place.MarketplaceOrderId, place.OrderGroup, place.SellerOrderId, place.SellerId, place.Items, place.Value, now, place.Account, place.GroupDigest, place.Document)),
                PlaceMarketplaceOrder place when state.OrderGroup == place.OrderGroup && state.GroupDigest == place.GroupDigest && state.Account == place.Account
                                                 && state.Items.SequenceEqual(place.Items) =>
                    MarketplaceDecision.Replay($"order already placed; it is {state.Status.Vtex()}"),
                PlaceMarketplaceOrder => MarketplaceDecision.Reject(RejectionCodes.OrderAlreadyExists, $"order {state.MarketplaceOrderId} already exists with other content"),
                _ => MarketplaceDecision.Reject(RejectionCodes.OrderNotFound, $"marketplace order does not exist; {command.Name} needs a placed order"),
            };
        }

        if (command is MirrorSeller mirror)
        {
            return Mirror(state, mirror.Seller, mirror.Source);
        }
        if (OrderPairProtocol.AnswerAlone(state, command) is { } alone)
        {
            return alone;
        }
        var reply = OrderPairProtocol.ReplyOf(command)
            ?? throw new InvalidOperationException($"{command.Name} is decided by the seller order: run it through OrderPairProtocol");
        var decision = OrderPairProtocol.Decide(state, command, reply, now);
        if (decision.IsAccepted && !Allowed(state.Status, command.Kind, decision.Target!.Value))
        {
            // The seller already did it, so the marketplace follows — but the table does not list the move: flag the order.
            return decision with
            {
                Code = MirrorConflict,
                Message = decision.Message + $" (the marketplace table has no {command.Name} from {state.Status.Vtex()} to {decision.Target.Value.Vtex()}: flagged)",
            };
        }
        return decision;
    }

    /// <summary>A seller-decided command may stay, lead where its own row says, or wherever mirroring the seller may.</summary>
    private static bool Allowed(MarketplaceOrderStatus from, MarketplaceCommandKind command, MarketplaceOrderStatus to) =>
        to == from // the seller's answer was already mirrored (or changes only the payment): no move
        || MarketplaceTransitions.Find(from, command)?.To.Contains(to) == true
        || MarketplaceTransitions.Find(from, MarketplaceCommandKind.SellerChanged)?.To.Contains(to) == true;

    /// <summary>Decides, applies the events and writes the history line: everything but storage and I/O.</summary>
    public static MarketplaceDecision Handle(MarketplaceOrderState state, MarketplaceCommand command, DateTimeOffset now)
    {
        var from = state.Exists ? state.Status.Vtex() : "none";
        var decision = Decide(state, command, now);
        foreach (var @event in decision.Events)
        {
            Evolve(state, @event);
        }
        if (decision.IsAccepted)
        {
            // Sequence counts the marketplace's own changes; a mirrored seller change moves the seller's sequence
            // instead (the order's version is their sum: MarketplaceOrderState.Version).
            if (command is not MirrorSeller) state.Sequence++;
            state.LastChange = now;
        }
        if (decision.Code == MirrorConflict)
        {
            state.WorkflowIsInError = true;
        }
        else if (decision.IsAccepted && decision.Events.OfType<SellerMirrored>().Any())
        {
            state.WorkflowIsInError = false;
        }
        if (command is not MirrorSeller)
        {
            // The marketplace's history holds its own commands; what the seller did is in the seller order's history.
            state.History.Add(new HistoryEntry(now, command.Actor, command.Name, decision.Outcome, from,
                state.Exists ? state.Status.Vtex() : "none", decision.Code, decision.Message));
        }
        return decision;
    }

    public static void Evolve(MarketplaceOrderState state, MarketplaceEvent @event)
    {
        switch (@event)
        {
            case MarketplaceOrderPlaced e:
                state.MarketplaceOrderId = e.MarketplaceOrderId;
                state.OrderGroup = e.OrderGroup;
                state.SellerOrderId = e.SellerOrderId;
                state.SellerId = e.SellerId;
                state.Items = [.. e.Items];
                state.Value = e.Value;
                state.PlacedAt = e.PlacedAt;
                state.Account = e.Account;
                state.GroupDigest = e.GroupDigest;
                state.Document = e.Document;
                state.Status = MarketplaceOrderStatus.PaymentPending;
                state.Payment = PaymentStatus.Pending;
                break;
            case PaymentWasApproved approved:
                state.Payment = PaymentStatus.Approved;
                state.AuthorizedDate = approved.At;
                // Where the seller order already is decides the status (a seller change may have arrived first).
                state.Status = state.Seller is { } seller ? Expected(PaymentStatus.Approved, seller) : MarketplaceOrderStatus.PaymentApproved;
                break;
            case PaymentWasDenied:
                state.Payment = PaymentStatus.Denied;
                break;
            case SellerMirrored e:
                state.Seller = e.Seller;
                state.Status = e.Status;
                break;
            default:
                throw new InvalidOperationException($"unknown event {@event.GetType().Name}");
        }
    }

    /// <summary>
    /// An operator's resync: the seller order's current snapshot replaces the mirror even at a sequence the mirror claims
    /// to have (a delivery that was lost, or a wrong one applied), but only along the table: the marketplace order stays
    /// where it is or moves by its <c>seller-changed</c> row. Nothing to repair is a replay; a move the table lacks is refused.
    /// </summary>
    public static MarketplaceDecision Resync(MarketplaceOrderState state, SellerOrderView seller)
    {
        var target = Expected(state.Payment, seller);
        if (state.Seller is { } mirrored && mirrored.Sequence == seller.Sequence && mirrored.Status == seller.Status && state.Status == target)
        {
            return MarketplaceDecision.Replay($"nothing to repair: the marketplace order mirrors seller order {seller.SellerOrderId} at sequence {seller.Sequence} ({seller.Status.Vtex()})");
        }
        if (target != state.Status && MarketplaceTransitions.Find(state.Status, MarketplaceCommandKind.SellerChanged)?.To.Contains(target) != true)
        {
            return MarketplaceDecision.Reject(MirrorConflict,
                $"seller order is {seller.Status.Vtex()} (sequence {seller.Sequence}); the table has no move from {state.Status.Vtex()} to {target.Vtex()}: a person must decide");
        }
        return MarketplaceDecision.Accept(target,
            $"mirror {state.Seller?.Sequence ?? 0} ({state.Seller?.Status.Vtex() ?? "none"}) → {seller.Sequence} ({seller.Status.Vtex()})",
            new SellerMirrored(seller, target));
    }

    private static MarketplaceDecision Mirror(MarketplaceOrderState state, SellerOrderView seller, string source)
    {
        if (seller.Sequence <= state.SellerSequence)
        {
            return MarketplaceDecision.Replay($"seller sequence {seller.Sequence} from {source} is not newer than {state.SellerSequence}; ignored");
        }
        var target = Expected(state.Payment, seller);
        var row = MarketplaceTransitions.Find(state.Status, MarketplaceCommandKind.SellerChanged);
        if (row is null || !row.To.Contains(target))
        {
            return MarketplaceDecision.Reject(MirrorConflict,
                $"seller order is {seller.Status.Vtex()} (sequence {seller.Sequence}) but the marketplace order cannot go from {state.Status.Vtex()} to {target.Vtex()}");
        }
        return MarketplaceDecision.Accept(target,
            $"seller order is {seller.Status.Vtex()} (sequence {seller.Sequence}, {source})", new SellerMirrored(seller, target));
    }
}
