using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// The marketplace order. Owns payment and mirrors its seller order: from the seller's answers to the calls
/// it forwards (applied at once) and from the seller's stream (implicit subscription, key = this order's id).
/// Each seller change is applied exactly once by sequence number; a gap, an activation or the reconcile
/// timer pulls the seller's state instead.
/// </summary>
[ImplicitStreamSubscription(StreamNames.SellerOrderChanges)]
public sealed partial class MarketplaceOrderGrain(
    [PersistentState("marketplaceOrder", StorageNames.Orders)] IPersistentState<MarketplaceOrderState> state,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<MarketplaceOrderGrain> log) : Grain, IMarketplaceOrderGrain, IStreamSubscriptionObserver, IRemindable, IIncomingGrainCallFilter
{
    private const string ReconcileReminder = "reconcile";

    private MarketplaceOrderState Order => state.State;

    private ISellerOrderGrain Seller => GrainFactory.GetGrain<ISellerOrderGrain>(Order.SellerOrderId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Activated behind (after a crash, or events lost while inactive): catch up before anything else.
        if (Order.Exists && !Order.Status.IsFinal())
        {
            await PullSeller("activation");
        }
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (VersionGuard.Take(this.GetPrimaryKeyString()) is { } expected && expected != Order.Sequence
            && context.InterfaceMethod.ReturnType == typeof(Task<MarketplaceReply>))
        {
            context.Result = new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.VersionMismatch,
                $"If-Match names version {expected}, the order is at version {Order.Sequence}", null, Order.Exists ? View() : null);
            return Task.CompletedTask;
        }
        return context.Invoke();
    }

    public async Task<MarketplaceReply> Place(PlaceMarketplaceOrder command)
    {
        if (command.MarketplaceOrderId != this.GetPrimaryKeyString())
        {
            return new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.InvalidCommand,
                $"command is for {command.MarketplaceOrderId}, not {this.GetPrimaryKeyString()}", null, null);
        }
        var decision = Handle(command);
        if (decision.Outcome == CommandOutcome.Rejected)
        {
            return Reply(decision);
        }
        // Also on a replay: a crash may have come between the seller's write and this order's.
        // One write for the placement and the seller's answer: until it lands, a retry of the group places both again.
        var reply = await Seller.Place(new PlaceSellerOrder(Order.SellerOrderId, Order.MarketplaceOrderId, Order.SellerId, Order.Items));
        if (reply.Seller is { } seller && seller.Sequence > Order.SellerSequence)
        {
            Handle(new MirrorSeller(seller, "place"));
        }
        await Write();
        await this.RegisterOrUpdateReminder(ReconcileReminder, options.Value.ReconcileInterval, options.Value.ReconcileInterval);
        return reply.Outcome == CommandOutcome.Rejected
            ? new MarketplaceReply(CommandOutcome.Rejected, reply.Code, $"seller order {Order.SellerOrderId}: {reply.Message}", null, View())
            : Reply(decision);
    }

    public async Task<MarketplaceReply> ApprovePayment()
    {
        var decision = Handle(new ApprovePayment());
        await Write();
        if (decision.Outcome != CommandOutcome.Rejected && Order.Seller?.Status == SellerOrderStatus.OrderAccepted)
        {
            var reply = await Seller.AuthorizeFulfillment();
            await ApplySeller(reply.Seller, "authorize-fulfillment");
        }
        return Reply(decision);
    }

    public Task<MarketplaceReply> DenyPayment() =>
        Forward(new ForwardedCommand(MarketplaceCommandKind.PaymentDenied, Actor.Marketplace, "payment denied"),
            seller => seller.Cancel(Actor.Marketplace, "payment denied", null));

    public Task<MarketplaceReply> Cancel(Actor by, string reason, string? requestedByUser) =>
        by.IsMarketplaceSide()
            ? Forward(new ForwardedCommand(by == Actor.Customer ? MarketplaceCommandKind.CancelByCustomer : MarketplaceCommandKind.CancelByMarketplace, by, reason),
                seller => seller.Cancel(by, reason, requestedByUser))
            : Task.FromResult(new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.InvalidCommand,
                "a marketplace order is canceled by the marketplace or the customer; the seller cancels its seller order", null, View()));

    public Task<MarketplaceReply> WithdrawCancellationRequest(Actor by, string requestId) =>
        Forward(new ForwardedCommand(MarketplaceCommandKind.WithdrawCancellationRequest, by, null),
            seller => seller.WithdrawCancellationRequest(by, requestId));

    public Task<MarketplaceOrderView?> GetView() => Task.FromResult(Order.Exists ? View() : null);

    public Task<IReadOnlyList<HistoryEntry>> GetHistory() => Task.FromResult<IReadOnlyList<HistoryEntry>>([.. Order.History]);

    public async Task<MarketplaceOrderView?> Reconcile()
    {
        if (!Order.Exists)
        {
            return null;
        }
        await PullSeller("reconcile");
        return View();
    }

    public Task Deliver(SellerOrderChanged change) => OnSellerChanged(change);

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<SellerOrderChanged>().ResumeAsync((change, _) => OnSellerChanged(change));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReconcileReminder)
        {
            return;
        }
        if (Order.Exists && !Order.Status.IsFinal())
        {
            await PullSeller("reconcile timer");
            // Self-repair: payment approved, but the authorization never reached the seller (a crash in between).
            if (Order.Payment == PaymentStatus.Approved && Order.Seller?.Status == SellerOrderStatus.OrderAccepted)
            {
                var reply = await Seller.AuthorizeFulfillment();
                await ApplySeller(reply.Seller, "authorize-fulfillment (retry)");
            }
        }
        if (!Order.Exists || Order.Status.IsFinal())
        {
            if (await this.GetReminder(ReconcileReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
    }

    /// <summary>Checks the table, forwards to the seller, then decides with the seller's answer.</summary>
    private async Task<MarketplaceReply> Forward(ForwardedCommand command, Func<ISellerOrderGrain, Task<SellerReply>> call)
    {
        if (MarketplaceOrderDecider.Check(Order, command) is { } rejection)
        {
            if (Order.Exists)
            {
                Record(command, rejection);
                await Write();
            }
            return Reply(rejection);
        }

        var reply = await call(Seller);
        var decision = Handle(command with { Reply = reply });
        if (!decision.IsAccepted && reply.Seller is { } seller && seller.Sequence > Order.SellerSequence)
        {
            // Rejected or replayed by the seller, but the seller moved on (say, it invoiced first): follow it.
            Handle(new MirrorSeller(seller, $"answer to {command.Name}"));
        }
        await Write();
        return Reply(decision);
    }

    private async Task OnSellerChanged(SellerOrderChanged change)
    {
        if (!Order.Exists || change.Sequence <= Order.SellerSequence)
        {
            // Duplicate or stale: already applied (the sequence number says so). Nothing to write.
            LogIgnored(log, this.GetPrimaryKeyString(), change.Sequence, Order.SellerSequence);
            return;
        }
        if (change.Sequence > Order.SellerSequence + 1)
        {
            LogGap(log, this.GetPrimaryKeyString(), Order.SellerSequence, change.Sequence);
            await PullSeller($"pull after gap {Order.SellerSequence}→{change.Sequence}");
            return;
        }
        await ApplySeller(change.Seller, "stream");
    }

    private async Task PullSeller(string source)
    {
        var seller = await Seller.GetView();
        await ApplySeller(seller, source);
    }

    private async Task ApplySeller(SellerOrderView? seller, string source)
    {
        if (seller is null || seller.Sequence <= Order.SellerSequence)
        {
            return;
        }
        Handle(new MirrorSeller(seller, source));
        await Write();
    }

    private Decision<MarketplaceEvent, MarketplaceOrderStatus> Handle(MarketplaceCommand command)
    {
        var decision = MarketplaceOrderDecider.Handle(Order, command, time.GetUtcNow());
        LogDecision(log, this.GetPrimaryKeyString(), command.Name, decision.Outcome, Order.Exists ? Order.Status.Vtex() : "none", decision.Message);
        return decision;
    }

    private void Record(MarketplaceCommand command, Decision<MarketplaceEvent, MarketplaceOrderStatus> rejection) =>
        Order.History.Add(new HistoryEntry(time.GetUtcNow(), command.Actor, command.Name, rejection.Outcome,
            Order.Status.Vtex(), Order.Status.Vtex(), rejection.Code, rejection.Message));

    private async Task Write()
    {
        if (!Order.Exists)
        {
            state.State = new MarketplaceOrderState();
            return;
        }
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private MarketplaceOrderView View() => MarketplaceOrderView.From(Order);

    private MarketplaceReply Reply(Decision<MarketplaceEvent, MarketplaceOrderStatus> decision) =>
        new(decision.Outcome, decision.Code, decision.Message, decision.CancellationRequestId, Order.Exists ? View() : null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Marketplace order {OrderId}: {Command} {Outcome}, now {Status}: {Reason}")]
    private static partial void LogDecision(ILogger logger, string orderId, string command, CommandOutcome outcome, string status, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Marketplace order {OrderId}: seller event {Sequence} ignored (already at {Applied})")]
    private static partial void LogIgnored(ILogger logger, string orderId, long sequence, long applied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marketplace order {OrderId}: gap in seller events ({Applied} → {Received}); pulling the seller order")]
    private static partial void LogGap(ILogger logger, string orderId, long applied, long received);
}
