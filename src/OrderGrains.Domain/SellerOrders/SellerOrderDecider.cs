using SellerDecision = OrderGrains.Domain.Decision<OrderGrains.Domain.SellerOrders.SellerEvent, OrderGrains.Domain.SellerOrderStatus>;

namespace OrderGrains.Domain.SellerOrders;

/// <summary>
/// Decide: (state, command, now) → events or a rejection. Evolve: (state, event) → state.
/// Pure functions; the grain runs them one command at a time.
/// </summary>
public static class SellerOrderDecider
{
    public static SellerDecision Decide(SellerOrderState state, SellerCommand command, DateTimeOffset now, WorkflowTimings timings)
    {
        if (!state.Exists)
        {
            return command is PlaceSellerOrder place
                ? Place(place, now, timings)
                : SellerDecision.Reject(RejectionCodes.OrderNotFound, $"seller order does not exist; {command.Name} needs a placed order");
        }

        // Replays and decisions on requests that are no longer open answer before the table:
        // they are idempotent repeats (or conflicts that name what was decided), not transitions.
        var early = command switch
        {
            PlaceSellerOrder place => PlaceAgain(state, place),
            AcceptCancellationRequest accept => DecisionOnClosedRequest(state, command, accept.RequestId),
            DenyCancellationRequest deny => DecisionOnClosedRequest(state, command, deny.RequestId),
            WithdrawCancellationRequest withdraw => DecisionOnClosedRequest(state, command, withdraw.RequestId),
            AddInvoice invoice => InvoiceAgain(state, invoice.Invoice),
            _ => null,
        };
        if (early is not null)
        {
            return early;
        }

        var row = SellerTransitions.Find(state.Status, command.Kind);
        if (row is null)
        {
            return NotAllowed(state, command);
        }

        var decision = command switch
        {
            AuthorizeFulfillment => SellerDecision.Accept(SellerOrderStatus.WindowToCancel,
                "fulfilment authorized; cancellation window open", new FulfillmentAuthorized(now + timings.CancellationWindow)),
            ExpireCancellationWindow => now < state.WindowEndsAt
                ? SellerDecision.Reject(RejectionCodes.DeadlineNotReached, $"the cancellation window ends at {state.WindowEndsAt:O}")
                : SellerDecision.Accept(SellerOrderStatus.ReadyForHandling, "cancellation window passed", new CancellationWindowClosed()),
            StartHandling => SellerDecision.Accept(SellerOrderStatus.Handling, "handling started", new HandlingStarted()),
            CancelSellerOrder cancel => Cancel(state, cancel, now, timings),
            AcceptCancellationRequest => Accept(state, now),
            DenyCancellationRequest deny => Deny(state, deny, now),
            WithdrawCancellationRequest withdraw => Withdraw(state, withdraw, now),
            AddInvoice { Invoice.Type: InvoiceType.Input } invoice => ReturnInvoice(state, invoice.Invoice),
            AddInvoice invoice => Invoice(state, invoice.Invoice, now),
            UpdateInvoice update => UpdateShipping(state, update),
            UpdateTracking tracking => Tracking(state, tracking),
            ReachDeadline => Deadline(state, now),
            _ => throw new InvalidOperationException($"the table allows {command.Kind} in {state.Status} but the decider has no rule for it"),
        };

        if (decision.IsAccepted && !row.To.Contains(decision.Target!.Value))
        {
            throw new InvalidOperationException($"decider led {command.Kind} from {state.Status} to {decision.Target}, which the table does not list");
        }
        return decision;
    }

    /// <summary>Decides, applies the events and writes the history line: everything but storage and I/O.</summary>
    public static SellerDecision Handle(SellerOrderState state, SellerCommand command, DateTimeOffset now, WorkflowTimings timings)
    {
        var from = state.Exists ? state.Status.Vtex() : "none";
        var decision = Decide(state, command, now, timings);
        foreach (var @event in decision.Events)
        {
            Evolve(state, @event);
        }
        if (decision.IsAccepted)
        {
            state.Sequence++;
            state.LastChange = now;
        }
        state.History.Add(new HistoryEntry(now, command.Actor, command.Name, decision.Outcome, from,
            state.Exists ? state.Status.Vtex() : "none", decision.Code, decision.Message));
        return decision;
    }

    public static void Evolve(SellerOrderState state, SellerEvent @event)
    {
        switch (@event)
        {
            case SellerOrderPlaced e:
                state.SellerOrderId = e.SellerOrderId;
                state.MarketplaceOrderId = e.MarketplaceOrderId;
                state.SellerId = e.SellerId;
                state.Account = e.Account;
                state.OrderGroup = e.OrderGroup;
                state.Items = [.. e.Items];
                state.Value = e.Value;
                state.PlacedAt = e.PlacedAt;
                state.AuthorizationDeadline = e.AuthorizationDeadline;
                state.Status = SellerOrderStatus.OrderAccepted;
                break;
            case FulfillmentAuthorized e:
                state.WindowEndsAt = e.WindowEndsAt;
                state.Status = SellerOrderStatus.WindowToCancel;
                break;
            case CancellationWindowClosed:
                state.Status = SellerOrderStatus.ReadyForHandling;
                break;
            case HandlingStarted:
                state.Status = SellerOrderStatus.Handling;
                break;
            case CancellationRequestOpened e:
                state.CancellationRequests.Add(e.Request);
                state.Status = SellerOrderStatus.CancellationRequested;
                break;
            case CancellationRequestClosed e:
                var open = state.OpenRequest ?? throw new InvalidOperationException("no open cancellation request to close");
                state.CancellationRequests[state.CancellationRequests.IndexOf(open)] =
                    open with { Outcome = e.Outcome, DecidedBy = e.DecidedBy, DecisionReason = e.Reason, DecidedAt = e.At };
                state.Status = open.InterruptedStatus;
                break;
            case SellerOrderCanceled e:
                state.CanceledBy = e.By;
                state.CancellationReason = e.Reason;
                state.CanceledAt = e.At;
                state.Status = SellerOrderStatus.Canceled;
                break;
            case InvoiceAdded e:
                state.Invoices.Add(e.Invoice);
                break;
            case SellerOrderInvoiced:
                state.Status = SellerOrderStatus.Invoiced;
                break;
            case InvoiceShippingUpdated e:
                var index = state.Invoices.FindIndex(i => i.InvoiceNumber == e.InvoiceNumber);
                var invoice = state.Invoices[index];
                state.Invoices[index] = invoice with
                {
                    Courier = e.Shipping.Courier ?? invoice.Courier,
                    TrackingNumber = e.Shipping.TrackingNumber ?? invoice.TrackingNumber,
                    TrackingUrl = e.Shipping.TrackingUrl ?? invoice.TrackingUrl,
                    DispatchedDate = e.Shipping.DispatchedDate ?? invoice.DispatchedDate,
                };
                break;
            case TrackingUpdated e:
                state.Tracking[e.InvoiceNumber] = e.Tracking;
                break;
            default:
                throw new InvalidOperationException($"unknown event {@event.GetType().Name}");
        }
    }

    private static SellerDecision Place(PlaceSellerOrder place, DateTimeOffset now, WorkflowTimings timings)
    {
        if (place.Items.Count == 0 || place.Items.Any(i => i.Quantity <= 0 || i.Price < 0))
        {
            return SellerDecision.Reject(RejectionCodes.InvalidCommand, "an order needs at least one item, each with a positive quantity and a non-negative price");
        }
        return SellerDecision.Accept(SellerOrderStatus.OrderAccepted, "seller order placed; waits for the marketplace to authorize fulfilment",
            new SellerOrderPlaced(place.SellerOrderId, place.MarketplaceOrderId, place.SellerId, place.Items, place.Value, now, now + timings.AuthorizationDeadline,
                place.Account, place.OrderGroup));
    }

    private static SellerDecision PlaceAgain(SellerOrderState state, PlaceSellerOrder place) =>
        state.MarketplaceOrderId == place.MarketplaceOrderId && state.SellerId == place.SellerId && state.Items.SequenceEqual(place.Items)
            ? SellerDecision.Replay($"seller order already placed; it is {state.Status.Vtex()}")
            : SellerDecision.Reject(RejectionCodes.OrderAlreadyExists, $"seller order {state.SellerOrderId} already exists with other content");

    private static SellerDecision? DecisionOnClosedRequest(SellerOrderState state, SellerCommand command, string requestId)
    {
        var request = state.CancellationRequests.FirstOrDefault(r => r.Id == requestId);
        if (request is null)
        {
            return SellerDecision.Reject(RejectionCodes.CancellationRequestNotFound,
                $"no cancellation request {requestId} on this order (it is {state.Status.Vtex()}" +
                (state.OpenRequest is { } open ? $"; the open request is {open.Id})" : "; no request is open)"));
        }
        if (request.IsOpen)
        {
            return null;
        }
        var sameDecision = (command, request.Outcome) switch
        {
            (AcceptCancellationRequest, RequestOutcome.Accepted or RequestOutcome.AgreedByCounterparty) => true,
            (DenyCancellationRequest, RequestOutcome.Denied) => true,
            // A deny by the requester was taken as a withdrawal: denying again replays it.
            (DenyCancellationRequest, RequestOutcome.Withdrawn) => request.RequestedBy == Actor.Seller,
            (WithdrawCancellationRequest w, RequestOutcome.Withdrawn) => w.By.IsMarketplaceSide() == request.RequestedBy.IsMarketplaceSide(),
            _ => false,
        };
        var taken = $"cancellation request {request.Id} was already closed as {Json(request.Outcome)} by {request.DecidedBy?.Vtex()} at {request.DecidedAt:O}";
        return sameDecision
            ? SellerDecision.Replay(taken + "; nothing changed", request.Id)
            : SellerDecision.Reject(RejectionCodes.CancellationRequestClosed, $"{taken}; the order is {state.Status.Vtex()}");
    }

    private static SellerDecision? InvoiceAgain(SellerOrderState state, Invoice invoice)
    {
        var existing = state.Invoices.FirstOrDefault(i => i.InvoiceNumber == invoice.InvoiceNumber);
        if (existing is null)
        {
            return null;
        }
        return existing.SameContentAs(invoice)
            ? SellerDecision.Replay($"invoice {invoice.InvoiceNumber} was already recorded; the order is {state.Status.Vtex()}")
            : SellerDecision.Reject(RejectionCodes.InvoiceNumberConflict, $"invoice {invoice.InvoiceNumber} was already recorded with another value or items");
    }

    private static SellerDecision NotAllowed(SellerOrderState state, SellerCommand command)
    {
        var status = state.Status.Vtex();
        if (state.Status.IsFinal())
        {
            return SellerDecision.Reject(RejectionCodes.OrderIsFinal, $"{command.Name} is not allowed: the seller order is {status}, a final status that never changes");
        }
        if (command is StartHandling)
        {
            return SellerDecision.Reject(RejectionCodes.NotReadyForHandling, $"Order status should be ready-for-handling to perform this action (it is {status})");
        }
        var why = command.Kind switch
        {
            SellerCommandKind.AuthorizeFulfillment => "fulfilment is authorized only once, while the order is order-accepted",
            SellerCommandKind.WindowExpired => "only an order in window-to-cancel has a cancellation window",
            SellerCommandKind.AcceptCancellationRequest or SellerCommandKind.DenyCancellationRequest or SellerCommandKind.WithdrawCancellationRequest
                => "no cancellation request is open",
            SellerCommandKind.Invoice => "an order is invoiced only while handling",
            SellerCommandKind.ReturnInvoice => "a return (Input) invoice is recorded only on an invoiced order",
            SellerCommandKind.UpdateInvoice or SellerCommandKind.UpdateTracking => "the order has no invoice yet",
            SellerCommandKind.DeadlineReached => "no deadline is pending in this status",
            _ => "the transition table has no such transition",
        };
        return SellerDecision.Reject(RejectionCodes.TransitionNotAllowed, $"{command.Name} is not allowed while the seller order is {status}: {why}");
    }

    private static SellerDecision Cancel(SellerOrderState state, CancelSellerOrder cancel, DateTimeOffset now, WorkflowTimings timings)
    {
        if (state.Status is SellerOrderStatus.OrderAccepted or SellerOrderStatus.WindowToCancel)
        {
            return SellerDecision.Accept(SellerOrderStatus.Canceled, $"canceled by {cancel.By.Vtex()} inside the cancellation window",
                new SellerOrderCanceled(cancel.By, cancel.Reason, now));
        }

        if (state.OpenRequest is { } open)
        {
            if (open.RequestedBy.IsMarketplaceSide() == cancel.By.IsMarketplaceSide())
            {
                return SellerDecision.Replay($"joins the open cancellation request {open.Id} opened by {open.RequestedBy.Vtex()}", open.Id);
            }
            // The other side already asked for this cancellation: both parties agree.
            return SellerDecision.Accept(SellerOrderStatus.Canceled,
                $"{cancel.By.Vtex()} agrees with cancellation request {open.Id} opened by {open.RequestedBy.Vtex()}",
                new CancellationRequestClosed(RequestOutcome.AgreedByCounterparty, cancel.By, cancel.Reason, now),
                new SellerOrderCanceled(open.RequestedBy, open.Reason, now)).WithRequest(open.Id);
        }

        var request = new CancellationRequest(
            Id: $"{state.SellerOrderId}-cr{state.CancellationRequests.Count + 1}",
            RequestedBy: cancel.By,
            RequestedByUser: cancel.RequestedByUser,
            Reason: cancel.Reason,
            RequestedAt: now,
            Deadline: now + timings.CancellationRequestDeadline,
            InterruptedStatus: state.Status);
        var waitsFor = cancel.By == Actor.Seller ? "the seller's confirmation (accept) or withdrawal" : "the seller's decision";
        return SellerDecision.Accept(SellerOrderStatus.CancellationRequested,
            $"cancellation request {request.Id} opened by {cancel.By.Vtex()}; waits for {waitsFor} until {request.Deadline:O}",
            new CancellationRequestOpened(request)).WithRequest(request.Id);
    }

    private static SellerDecision Accept(SellerOrderState state, DateTimeOffset now)
    {
        var open = state.OpenRequest!;
        return SellerDecision.Accept(SellerOrderStatus.Canceled, $"cancellation request {open.Id} accepted by the seller",
            new CancellationRequestClosed(RequestOutcome.Accepted, Actor.Seller, null, now),
            new SellerOrderCanceled(open.RequestedBy, open.Reason, now)).WithRequest(open.Id);
    }

    private static SellerDecision Deny(SellerOrderState state, DenyCancellationRequest deny, DateTimeOffset now)
    {
        var open = state.OpenRequest!;
        if (open.RequestedBy == Actor.Seller)
        {
            // The known issue: VTEX lets the requester deny its own request and the order sticks.
            // Here the requester's deny is what the seller meant: take the request back.
            return SellerDecision.Accept(open.InterruptedStatus,
                $"cancellation request {open.Id} was opened by the seller itself, so its deny is taken as a withdrawal; back to {open.InterruptedStatus.Vtex()}",
                new CancellationRequestClosed(RequestOutcome.Withdrawn, Actor.Seller, deny.DenyReason ?? "denied by the requester", now)).WithRequest(open.Id);
        }
        return SellerDecision.Accept(open.InterruptedStatus,
            $"cancellation request {open.Id} denied by the seller; back to {open.InterruptedStatus.Vtex()}",
            new CancellationRequestClosed(RequestOutcome.Denied, Actor.Seller, deny.DenyReason, now)).WithRequest(open.Id);
    }

    private static SellerDecision Withdraw(SellerOrderState state, WithdrawCancellationRequest withdraw, DateTimeOffset now)
    {
        var open = state.OpenRequest!;
        if (open.RequestedBy.IsMarketplaceSide() != withdraw.By.IsMarketplaceSide())
        {
            return SellerDecision.Reject(RejectionCodes.NotTheRequester,
                $"cancellation request {open.Id} was opened by {open.RequestedBy.Vtex()}; only its requester may withdraw it" +
                (withdraw.By == Actor.Seller ? " (the seller accepts or denies it)" : ""));
        }
        return SellerDecision.Accept(open.InterruptedStatus,
            $"cancellation request {open.Id} withdrawn by {withdraw.By.Vtex()}; back to {open.InterruptedStatus.Vtex()}",
            new CancellationRequestClosed(RequestOutcome.Withdrawn, withdraw.By, null, now)).WithRequest(open.Id);
    }

    private static SellerDecision Invoice(SellerOrderState state, Invoice invoice, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(invoice.InvoiceNumber) || invoice.Value <= 0)
        {
            return SellerDecision.Reject(RejectionCodes.InvalidCommand, "an invoice needs a number and a positive value in cents");
        }
        var remaining = state.Value - state.InvoicedValue;
        if (invoice.Value > remaining)
        {
            return SellerDecision.Reject(RejectionCodes.InvoiceExceedsTotal,
                $"invoice value {invoice.Value} exceeds what is left to invoice ({remaining} of {state.Value} cents)");
        }

        var events = new List<SellerEvent>();
        var open = state.OpenRequest;
        if (open is not null)
        {
            if (open.InterruptedStatus != SellerOrderStatus.Handling)
            {
                return SellerDecision.Reject(RejectionCodes.TransitionNotAllowed,
                    $"invoice is not allowed: cancellation request {open.Id} interrupted {open.InterruptedStatus.Vtex()}, and only an order in handling is invoiced");
            }
            events.Add(new CancellationRequestClosed(RequestOutcome.AnsweredByInvoice, Actor.Seller, $"invoice {invoice.InvoiceNumber}", now));
        }
        events.Add(new InvoiceAdded(invoice));
        var full = invoice.Value == remaining;
        if (full)
        {
            events.Add(new SellerOrderInvoiced(now));
        }
        var answered = open is null ? "" : $"; it answers cancellation request {open.Id} as denied";
        return new SellerDecision(CommandOutcome.Accepted, events,
            full ? SellerOrderStatus.Invoiced : SellerOrderStatus.Handling, null,
            (full ? $"invoice {invoice.InvoiceNumber} completes the order total" : $"partial invoice {invoice.InvoiceNumber}: {state.InvoicedValue + invoice.Value} of {state.Value} cents invoiced") + answered,
            open?.Id);
    }

    /// <summary>A return invoice: recorded on an invoiced order, never more than was invoiced; the status stays invoiced.</summary>
    private static SellerDecision ReturnInvoice(SellerOrderState state, Invoice invoice)
    {
        if (string.IsNullOrWhiteSpace(invoice.InvoiceNumber) || invoice.Value <= 0)
        {
            return SellerDecision.Reject(RejectionCodes.InvalidCommand, "an invoice needs a number and a positive value in cents");
        }
        var returnable = state.InvoicedValue - state.ReturnedValue;
        if (invoice.Value > returnable)
        {
            return SellerDecision.Reject(RejectionCodes.InvoiceExceedsTotal,
                $"return invoice value {invoice.Value} exceeds what is left to return ({returnable} of {state.InvoicedValue} cents invoiced)");
        }
        return SellerDecision.Accept(state.Status,
            $"return invoice {invoice.InvoiceNumber} recorded ({state.ReturnedValue + invoice.Value} of {state.InvoicedValue} cents returned); the order stays {state.Status.Vtex()}",
            new InvoiceAdded(invoice));
    }

    private static SellerDecision UpdateShipping(SellerOrderState state, UpdateInvoice update)
    {
        var invoice = state.Invoices.FirstOrDefault(i => i.InvoiceNumber == update.InvoiceNumber);
        if (invoice is null)
        {
            return SellerDecision.Reject(RejectionCodes.InvoiceNotFound, $"no invoice {update.InvoiceNumber} on this order");
        }
        var s = update.Shipping;
        if ((s.Courier ?? invoice.Courier) == invoice.Courier && (s.TrackingNumber ?? invoice.TrackingNumber) == invoice.TrackingNumber
            && (s.TrackingUrl ?? invoice.TrackingUrl) == invoice.TrackingUrl && (s.DispatchedDate ?? invoice.DispatchedDate) == invoice.DispatchedDate)
        {
            return SellerDecision.Replay($"invoice {update.InvoiceNumber} already has these shipping details; the order is {state.Status.Vtex()}");
        }
        return SellerDecision.Accept(state.Status, $"shipping details of invoice {update.InvoiceNumber} updated",
            new InvoiceShippingUpdated(update.InvoiceNumber, s));
    }

    private static SellerDecision Tracking(SellerOrderState state, UpdateTracking tracking) =>
        state.Invoices.Any(i => i.InvoiceNumber == tracking.InvoiceNumber)
            ? SellerDecision.Accept(state.Status, $"tracking of invoice {tracking.InvoiceNumber} updated" + (tracking.Tracking.IsDelivered ? " (delivered)" : ""),
                new TrackingUpdated(tracking.InvoiceNumber, tracking.Tracking))
            : SellerDecision.Reject(RejectionCodes.InvoiceNotFound, $"no invoice {tracking.InvoiceNumber} on this order");

    private static SellerDecision Deadline(SellerOrderState state, DateTimeOffset now)
    {
        var due = state.NextDeadline!.Value;
        if (now < due)
        {
            return SellerDecision.Reject(RejectionCodes.DeadlineNotReached, $"the deadline of {state.Status.Vtex()} is {due:O}");
        }
        if (state.Status == SellerOrderStatus.OrderAccepted)
        {
            return SellerDecision.Accept(SellerOrderStatus.Canceled, "no fulfilment authorization before the authorization deadline: canceled",
                new SellerOrderCanceled(Actor.System, "authorization deadline reached", now));
        }
        var open = state.OpenRequest!;
        return SellerDecision.Accept(SellerOrderStatus.Canceled,
            $"nobody decided cancellation request {open.Id} before its deadline: default outcome canceled",
            new CancellationRequestClosed(RequestOutcome.CanceledAtDeadline, Actor.System, "deadline reached", now),
            new SellerOrderCanceled(open.RequestedBy, open.Reason, now)).WithRequest(open.Id);
    }

    private static string Json(RequestOutcome outcome) => System.Text.Json.JsonSerializer.Serialize(outcome).Trim('"');
}
