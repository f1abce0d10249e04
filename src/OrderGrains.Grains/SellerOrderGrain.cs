using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// The seller order: the source of truth for fulfilment. Non-reentrant, so commands are decided one at a
/// time against <see cref="SellerTransitions"/>. It never calls the marketplace order: every committed
/// change goes into the change log with its state write (same transaction), and the log's readers deliver it.
/// </summary>
public sealed partial class SellerOrderGrain(
    [PersistentState("sellerOrder", StorageNames.Orders)] IPersistentState<SellerOrderState> state,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<SellerOrderGrain> log) : Grain, ISellerOrderGrain, IRemindable, IIncomingGrainCallFilter
{
    private const string DeadlineReminder = "deadline";

    private SellerOrderState Order => state.State;

    private IGrainTimer? deadlineTimer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ArmDeadlineTimer();
        return Task.CompletedTask;
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (VersionGuard.Take(this.GetPrimaryKeyString()) is { } expected && expected != Order.Sequence
            && context.InterfaceMethod.ReturnType == typeof(Task<SellerReply>))
        {
            context.Result = new SellerReply(CommandOutcome.Rejected, RejectionCodes.VersionMismatch,
                $"If-Match names version {expected}, the seller order is at version {Order.Sequence}", null, Order.Exists ? SellerOrderView.From(Order) : null);
            return Task.CompletedTask;
        }
        return context.Invoke();
    }

    public Task<SellerReply> Place(PlaceSellerOrder command) =>
        command.SellerOrderId == this.GetPrimaryKeyString()
            ? Run(command)
            : Task.FromResult(new SellerReply(CommandOutcome.Rejected, RejectionCodes.InvalidCommand,
                $"command is for {command.SellerOrderId}, not {this.GetPrimaryKeyString()}", null, null));

    public Task<SellerReply> AuthorizeFulfillment() => Run(new AuthorizeFulfillment());

    public Task<SellerReply> StartHandling() => Run(new StartHandling());

    public Task<SellerReply> Cancel(Actor by, string reason, string? requestedByUser) => Run(new CancelSellerOrder(by, reason, requestedByUser));

    public Task<SellerReply> AcceptCancellationRequest(string requestId) => Run(new AcceptCancellationRequest(requestId));

    public Task<SellerReply> DenyCancellationRequest(string requestId, string? denyReason) => Run(new DenyCancellationRequest(requestId, denyReason));

    public Task<SellerReply> WithdrawCancellationRequest(Actor by, string requestId) => Run(new WithdrawCancellationRequest(by, requestId));

    public Task<SellerReply> Invoice(Invoice invoice) => Run(new AddInvoice(invoice));

    public Task<SellerReply> UpdateTracking(string invoiceNumber, TrackingUpdate tracking) => Run(new UpdateTracking(invoiceNumber, tracking));

    public Task<SellerOrderView?> GetView() => Task.FromResult(Order.Exists ? SellerOrderView.From(Order) : null);

    public Task<IReadOnlyList<HistoryEntry>> GetHistory() => Task.FromResult<IReadOnlyList<HistoryEntry>>([.. Order.History]);

    /// <summary>Wakes the change-log reader of this order's partition (ops: redeliver now rather than at the next poll).</summary>
    public Task Republish() => Order.Exists ? WakeLogReader() : Task.CompletedTask;

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == DeadlineReminder ? OnDeadline() : Task.CompletedTask;

    private async Task OnDeadline()
    {
        SellerCommand? command = Order.Status switch
        {
            SellerOrderStatus.WindowToCancel => new ExpireCancellationWindow(),
            SellerOrderStatus.OrderAccepted or SellerOrderStatus.CancellationRequested => new ReachDeadline(),
            _ => null,
        };
        if (command is null || Order.NextDeadline > time.GetUtcNow())
        {
            // Nothing due (a stale reminder, or it fired early): line the reminder up with the state again.
            await ScheduleDeadline();
            if (Order.NextDeadline is null && await this.GetReminder(DeadlineReminder) is { } stale)
            {
                await this.UnregisterReminder(stale);
            }
            return;
        }
        await Run(command);
    }

    private async Task<SellerReply> Run(SellerCommand command)
    {
        if (!Order.Exists && command is not PlaceSellerOrder)
        {
            return new SellerReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"seller order {this.GetPrimaryKeyString()} does not exist", null, null);
        }

        var deadlineBefore = Order.NextDeadline;
        var sequenceBefore = Order.Sequence;
        var decision = SellerOrderDecider.Handle(Order, command, time.GetUtcNow(), options.Value.Timings);
        if (!Order.Exists)
        {
            state.State = new SellerOrderState(); // a rejected placement leaves nothing behind
            return Reply(decision, null);
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The in-memory state ran ahead of storage: drop it so the next call reloads what was stored.
            DeactivateOnIdle();
            throw;
        }

        LogDecision(log, this.GetPrimaryKeyString(), command.Name, decision.Outcome, Order.Status.Vtex(), decision.Message);
        if (Order.Sequence != sequenceBefore)
        {
            // The state write appended the change to the log (same transaction); the reader need not wait for its poll.
            await WakeLogReader();
        }
        if (decision.IsAccepted && Order.NextDeadline != deadlineBefore)
        {
            await ScheduleDeadline();
        }
        return Reply(decision, SellerOrderView.From(Order));
    }

    private static SellerReply Reply(Decision<SellerEvent, SellerOrderStatus> decision, SellerOrderView? view) =>
        new(decision.Outcome, decision.Code, decision.Message, decision.CancellationRequestId, view);

    private Task WakeLogReader() =>
        GrainFactory.GetGrain<IChangeLogPartitionGrain>(ChangeLogPartitions.Of(Order.MarketplaceOrderId)).Wake();

    /// <summary>
    /// Two clocks for one deadline: a grain timer fires on time while the order is active, and a reminder
    /// (due shortly after) survives deactivation and silo restarts. Whichever comes second finds nothing due.
    /// </summary>
    private async Task ScheduleDeadline()
    {
        ArmDeadlineTimer();
        if (Order.NextDeadline is { } deadline)
        {
            await this.RegisterOrUpdateReminder(DeadlineReminder, Until(deadline) + ReminderLag, TimeSpan.FromMinutes(1));
        }
        // No deadline any more: the old reminder is left to fire once, find nothing due and remove itself.
        // That saves two storage round trips on every transition out of a waiting status.
    }

    private static readonly TimeSpan ReminderLag = TimeSpan.FromSeconds(1);

    private void ArmDeadlineTimer()
    {
        deadlineTimer?.Dispose();
        deadlineTimer = Order.NextDeadline is { } deadline
            ? this.RegisterGrainTimer(OnDeadline, new GrainTimerCreationOptions(Until(deadline), Timeout.InfiniteTimeSpan))
            : null;
    }

    private TimeSpan Until(DateTimeOffset deadline)
    {
        var due = deadline - time.GetUtcNow();
        return due < TimeSpan.Zero ? TimeSpan.Zero : due;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seller order {OrderId}: {Command} {Outcome}, now {Status}: {Reason}")]
    private static partial void LogDecision(ILogger logger, string orderId, string command, CommandOutcome outcome, string status, string reason);
}
