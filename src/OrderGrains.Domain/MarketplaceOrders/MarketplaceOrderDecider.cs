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

    /// <summary>Whether the table lets <paramref name="kind"/> run now: checked before forwarding a command to the seller.</summary>
    public static MarketplaceDecision? Check(MarketplaceOrderState state, MarketplaceCommand command)
    {
        if (!state.Exists)
        {
            return MarketplaceDecision.Reject(RejectionCodes.OrderNotFound, $"marketplace order does not exist; {command.Name} needs a placed order");
        }
        return MarketplaceTransitions.Find(state.Status, command.Kind) is null ? NotAllowed(state, command) : null;
    }

    public static MarketplaceDecision Decide(MarketplaceOrderState state, MarketplaceCommand command, DateTimeOffset now)
    {
        if (!state.Exists || command is PlaceMarketplaceOrder)
        {
            return command switch
            {
                PlaceMarketplaceOrder place when !state.Exists => MarketplaceDecision.Accept(MarketplaceOrderStatus.PaymentPending,
                    "order placed; waits for the payment gateway",
                    new MarketplaceOrderPlaced(place.MarketplaceOrderId, place.OrderGroup, place.SellerOrderId, place.SellerId, place.Items, place.Value, now, place.Account)),
                PlaceMarketplaceOrder place when state.OrderGroup == place.OrderGroup && state.Items.SequenceEqual(place.Items) =>
                    MarketplaceDecision.Replay($"order already placed; it is {state.Status.Vtex()}"),
                PlaceMarketplaceOrder => MarketplaceDecision.Reject(RejectionCodes.OrderAlreadyExists, $"order {state.MarketplaceOrderId} already exists with other content"),
                _ => MarketplaceDecision.Reject(RejectionCodes.OrderNotFound, $"marketplace order does not exist; {command.Name} needs a placed order"),
            };
        }

        if (command is ApprovePayment && state.Payment == PaymentStatus.Approved)
        {
            return MarketplaceDecision.Replay($"payment was already approved; the order is {state.Status.Vtex()}");
        }
        if (command is MirrorSeller mirror)
        {
            return Mirror(state, mirror.Seller, mirror.Source);
        }

        var row = MarketplaceTransitions.Find(state.Status, command.Kind);
        if (row is null)
        {
            return NotAllowed(state, command);
        }

        MarketplaceDecision decision = command switch
        {
            ApprovePayment => MarketplaceDecision.Accept(MarketplaceOrderStatus.PaymentApproved,
                "payment approved; fulfilment authorization sent to the seller", new PaymentWasApproved(now)),
            ForwardedCommand forwarded => Forwarded(state, forwarded, now),
            _ => throw new InvalidOperationException($"the table allows {command.Kind} in {state.Status} but the decider has no rule for it"),
        };

        if (decision.IsAccepted && !row.To.Contains(decision.Target!.Value))
        {
            throw new InvalidOperationException($"decider led {command.Kind} from {state.Status} to {decision.Target}, which the table does not list");
        }
        return decision;
    }

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
            state.Sequence++;
            state.LastChange = now;
        }
        if (command is MirrorSeller && decision.Outcome != CommandOutcome.Replayed)
        {
            state.WorkflowIsInError = decision.Code == MirrorConflict;
        }
        state.History.Add(new HistoryEntry(now, command.Actor, command.Name, decision.Outcome, from,
            state.Exists ? state.Status.Vtex() : "none", decision.Code, decision.Message));
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
                state.Status = MarketplaceOrderStatus.PaymentPending;
                state.Payment = PaymentStatus.Pending;
                break;
            case PaymentWasApproved:
                state.Payment = PaymentStatus.Approved;
                state.Status = MarketplaceOrderStatus.PaymentApproved;
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
    /// A forwarded command the seller accepted: the marketplace takes the seller's new state at once.
    /// A seller that replayed or rejected it changes nothing here; the grain then mirrors the seller's snapshot separately.
    /// </summary>
    private static MarketplaceDecision Forwarded(MarketplaceOrderState state, ForwardedCommand command, DateTimeOffset now)
    {
        var reply = command.Reply ?? throw new InvalidOperationException($"{command.Name} must be decided with the seller's reply");
        if (reply.Seller is null)
        {
            return MarketplaceDecision.Reject(RejectionCodes.SellerUnavailable, $"seller order {state.SellerOrderId} did not answer with its state: {reply.Message}");
        }
        if (reply.Outcome != CommandOutcome.Accepted)
        {
            return new MarketplaceDecision(reply.Outcome, [], null, reply.Code, $"seller order {reply.Seller.SellerOrderId}: {reply.Message}", reply.CancellationRequestId);
        }

        var events = new List<MarketplaceEvent>();
        var payment = state.Payment;
        if (command.ForwardedKind == MarketplaceCommandKind.PaymentDenied)
        {
            events.Add(new PaymentWasDenied(now));
            payment = PaymentStatus.Denied;
        }
        var target = state.Status;
        if (reply.Seller.Sequence > state.SellerSequence)
        {
            target = Expected(payment, reply.Seller);
            events.Add(new SellerMirrored(reply.Seller, target));
        }
        return new MarketplaceDecision(CommandOutcome.Accepted, events, target, null,
            $"seller order {reply.Seller.SellerOrderId}: {reply.Message}", reply.CancellationRequestId);
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

    private static MarketplaceDecision NotAllowed(MarketplaceOrderState state, MarketplaceCommand command)
    {
        var status = state.Status.Vtex();
        if (state.Status.IsFinal())
        {
            return MarketplaceDecision.Reject(RejectionCodes.OrderIsFinal, $"{command.Name} is not allowed: the order is {status}, a final status that never changes");
        }
        var why = command.Kind switch
        {
            MarketplaceCommandKind.PaymentApproved or MarketplaceCommandKind.PaymentDenied => "the payment was already decided",
            MarketplaceCommandKind.WithdrawCancellationRequest => "the marketplace has no open cancellation request on this order",
            _ => "the transition table has no such transition",
        };
        return MarketplaceDecision.Reject(RejectionCodes.TransitionNotAllowed, $"{command.Name} is not allowed while the order is {status}: {why}");
    }
}
