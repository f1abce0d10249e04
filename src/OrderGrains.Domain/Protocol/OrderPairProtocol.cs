using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;
using MarketplaceDecision = OrderGrains.Domain.Decision<OrderGrains.Domain.MarketplaceOrders.MarketplaceEvent, OrderGrains.Domain.MarketplaceOrderStatus>;

namespace OrderGrains.Domain.Protocol;

/// <summary>
/// THE protocol between a marketplace order and its seller order (domain.md §5), in one place: the grain, the tests
/// and the benchmark run it, not copies of it.
/// <list type="bullet">
/// <item>The marketplace answers alone only from what it owns: an order that does not exist, the payment it already
/// decided. Even on an order whose copy is final it asks the seller, so that an answer never depends on how far the
/// mirror has got (the seller's answer on a final order is final too).</item>
/// <item>Everything whose outcome depends on the seller order — approving the payment (it authorizes fulfilment),
/// denying it, cancels, withdrawals — is decided by the seller order, in its turn, and the marketplace answers with
/// the seller's outcome and takes the seller's new state. It never answers from its own copy of the seller, which
/// may be behind.</item>
/// </list>
/// </summary>
public static class OrderPairProtocol
{
    /// <summary>
    /// Runs one marketplace command: answer alone, or ask the seller (<paramref name="askSeller"/> runs the seller
    /// command in the seller order's turn) and decide with its reply. Applies the decision to <paramref name="state"/>
    /// (history included) and, when the seller's reply carries a newer state that the decision did not take, mirrors it.
    /// Returns the decision that answers the caller.
    /// </summary>
    public static async Task<MarketplaceDecision> Run(
        MarketplaceOrderState state, MarketplaceCommand command, Func<SellerCommand, Task<SellerReply>> askSeller, DateTimeOffset now)
    {
        if (AnswerAlone(state, command) is { } alone)
        {
            if (state.Exists) Record(state, command, alone, now);
            return alone;
        }
        var reply = await askSeller(SellerCommandFor(command));
        return Apply(state, WithReply(command, reply), now);
    }

    /// <summary>The synchronous form of <see cref="Run"/>, for callers whose seller order is in the same memory (tests, benchmark).</summary>
    public static MarketplaceDecision RunNow(MarketplaceOrderState state, MarketplaceCommand command, Func<SellerCommand, SellerReply> askSeller, DateTimeOffset now) =>
        Run(state, command, c => Task.FromResult(askSeller(c)), now).GetAwaiter().GetResult();

    /// <summary>
    /// What a seller order held in memory answers to a command (its decider, applied): the seller grain's answer without
    /// storage. Tests and the benchmark pass it to <see cref="RunNow"/> as the seller.
    /// </summary>
    public static SellerReply AtSeller(SellerOrderState seller, SellerCommand command, DateTimeOffset now, WorkflowTimings timings)
    {
        if (!seller.Exists && command is not PlaceSellerOrder)
        {
            return new SellerReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, "seller order does not exist", null, null);
        }
        var decision = SellerOrderDecider.Handle(seller, command, now, timings);
        return new SellerReply(decision.Outcome, decision.Code, decision.Message, decision.CancellationRequestId, seller.Exists ? SellerOrderView.From(seller) : null);
    }

    /// <summary>Whether the marketplace answers this command without the seller, and how.</summary>
    public static MarketplaceDecision? AnswerAlone(MarketplaceOrderState state, MarketplaceCommand command)
    {
        if (!state.Exists)
        {
            return MarketplaceDecision.Reject(RejectionCodes.OrderNotFound, $"marketplace order does not exist; {command.Name} needs a placed order");
        }
        if (command.Kind == MarketplaceCommandKind.PaymentApproved && state.Payment == PaymentStatus.Approved)
        {
            return MarketplaceDecision.Replay($"payment was already approved; the order is {state.Status.Vtex()}");
        }
        if (command.Kind is MarketplaceCommandKind.PaymentApproved or MarketplaceCommandKind.PaymentDenied && state.Payment != PaymentStatus.Pending)
        {
            return MarketplaceDecision.Reject(RejectionCodes.TransitionNotAllowed,
                $"{command.Name} is not allowed while the order is {state.Status.Vtex()}: the payment was already {state.Payment.ToString().ToLowerInvariant()}");
        }
        return null;
    }

    /// <summary>The seller command that decides a marketplace command.</summary>
    public static SellerCommand SellerCommandFor(MarketplaceCommand command) => command switch
    {
        ApprovePayment => new AuthorizeFulfillment(),
        ForwardedCommand { ForwardedKind: MarketplaceCommandKind.PaymentDenied } => new CancelSellerOrder(Actor.Marketplace, PaymentDeniedReason),
        ForwardedCommand { ForwardedKind: MarketplaceCommandKind.CancelByMarketplace or MarketplaceCommandKind.CancelByCustomer } f =>
            new CancelSellerOrder(f.By, f.Reason ?? "canceled", f.RequestedByUser),
        ForwardedCommand { ForwardedKind: MarketplaceCommandKind.WithdrawCancellationRequest } f => new WithdrawCancellationRequest(f.By, f.RequestId ?? ""),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.Name, "not a command the seller decides"),
    };

    public const string PaymentDeniedReason = "payment denied";

    /// <summary>
    /// The marketplace's decision on a command the seller decided: the seller's outcome (and code), the marketplace's
    /// own effect (the payment), and the seller's new state when it is newer than the marketplace's copy.
    /// </summary>
    public static MarketplaceDecision Decide(MarketplaceOrderState state, MarketplaceCommand command, SellerReply reply, DateTimeOffset now)
    {
        if (reply.Seller is not { } seller)
        {
            return MarketplaceDecision.Reject(reply.Code == RejectionCodes.OrderNotFound ? RejectionCodes.SellerUnavailable : reply.Code ?? RejectionCodes.SellerUnavailable,
                $"seller order {state.SellerOrderId} did not answer with its state: {reply.Message}");
        }
        var prefix = $"seller order {seller.SellerOrderId}: ";
        var payment = state.Payment;
        var events = new List<MarketplaceEvent>();
        CommandOutcome outcome;
        string? code = reply.Code;
        string message;

        if (command is ApprovePayment)
        {
            // The seller authorized fulfilment now, or before (a retry after a crash): the payment is approved.
            // A canceled seller order refuses: the payment came too late, and that is the answer.
            if (seller.Status == SellerOrderStatus.Canceled)
            {
                outcome = CommandOutcome.Rejected;
                code = RejectionCodes.OrderIsFinal;
                message = prefix + $"canceled before the payment was approved ({seller.CancellationReason ?? "no reason given"}); the payment approval is refused";
            }
            else if (seller.Status == SellerOrderStatus.OrderAccepted)
            {
                outcome = CommandOutcome.Rejected;
                message = prefix + $"did not authorize fulfilment: {reply.Message}";
            }
            else
            {
                outcome = CommandOutcome.Accepted;
                code = null;
                message = "payment approved; " + (reply.Outcome == CommandOutcome.Accepted ? "fulfilment authorized at the seller" : prefix + "fulfilment was already authorized");
                events.Add(new PaymentWasApproved(now));
                payment = PaymentStatus.Approved;
            }
        }
        else
        {
            outcome = reply.Outcome;
            message = prefix + reply.Message;
            if (outcome == CommandOutcome.Accepted && command.Kind == MarketplaceCommandKind.PaymentDenied)
            {
                events.Add(new PaymentWasDenied(now));
                payment = PaymentStatus.Denied;
            }
        }

        if (outcome != CommandOutcome.Accepted)
        {
            // Nothing changed here by this command; a newer seller state is mirrored as its own step (see Apply).
            return new MarketplaceDecision(outcome, [], null, code, message, reply.CancellationRequestId);
        }
        // The status follows the newest seller state known: the reply's, or a newer one that reached this order meanwhile.
        var newest = seller.Sequence > state.SellerSequence || state.Seller is null ? seller : state.Seller;
        var target = MarketplaceOrderDecider.Expected(payment, newest);
        if (seller.Sequence > state.SellerSequence)
        {
            events.Add(new SellerMirrored(seller, target));
        }
        return new MarketplaceDecision(CommandOutcome.Accepted, events, target, null, message, reply.CancellationRequestId);
    }

    /// <summary>Applies the seller-decided command, then mirrors the seller's reply if the decision did not take it.</summary>
    public static MarketplaceDecision Apply(MarketplaceOrderState state, MarketplaceCommand command, DateTimeOffset now)
    {
        var reply = ReplyOf(command) ?? throw new InvalidOperationException($"{command.Name} must carry the seller's reply");
        var decision = MarketplaceOrderDecider.Handle(state, command, now);
        if (reply.Seller is { } seller && seller.Sequence > state.SellerSequence)
        {
            // Rejected or replayed by the seller, but the seller moved on (say, it invoiced or canceled first): follow it.
            MarketplaceOrderDecider.Handle(state, new MirrorSeller(seller, $"answer to {command.Name}"), now);
        }
        return decision;
    }

    public static SellerReply? ReplyOf(MarketplaceCommand command) => command switch
    {
        ApprovePayment a => a.Reply,
        ForwardedCommand f => f.Reply,
        _ => null,
    };

    private static MarketplaceCommand WithReply(MarketplaceCommand command, SellerReply reply) => command switch
    {
        ApprovePayment a => a with { Reply = reply },
        ForwardedCommand f => f with { Reply = reply },
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.Name, "not a command the seller decides"),
    };

    private static void Record(MarketplaceOrderState state, MarketplaceCommand command, MarketplaceDecision decision, DateTimeOffset now) =>
        state.History.Add(new HistoryEntry(now, command.Actor, command.Name, decision.Outcome, state.Status.Vtex(), state.Status.Vtex(), decision.Code, decision.Message));
}
