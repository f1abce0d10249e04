using SellerDecision = OrderGrains.Domain.Decision<OrderGrains.Domain.SellerOrders.SellerEvent, OrderGrains.Domain.SellerOrderStatus>;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// The seller order: the source of truth for fulfilment. Non-reentrant, so commands are decided one at a
/// time against <see cref="SellerTransitions"/>. It never waits on the marketplace order: every committed
/// change goes into the change log with its state write (same transaction), and the log's readers deliver it; a change
/// of its own commands is also pushed to the marketplace order one way, so that the mirror is fresh sooner
/// (<see cref="ISellerChangePush"/>). A
/// marketplace command it decides (<see cref="DecideForMarketplace"/>) comes with the marketplace order's state: both
/// orders' changes commit in one transaction.
/// </summary>
public sealed partial class SellerOrderGrain(
    [FromKeyedServices(StorageNames.Orders)] IGrainStorage storage,
    IOptions<WorkflowOptions> options,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider time,
    ISellerChangePush push,
    ChangeLogWakeups wakeups,
    ILogger<SellerOrderGrain> log) : Grain, ISellerOrderGrain, IRemindable, IIncomingGrainCallFilter
{
    private OrderRow<SellerOrderState> row = null!;

    /// <summary>Whether <see cref="row"/> holds what storage has (read, or written by this activation).</summary>
    private bool loaded;

    private SellerOrderState Order => row.State;

    private IGrainTimer? deadlineTimer;

    /// <summary>This order's change-log partition (a hash of its marketplace order id, which never changes), once known.</summary>
    private int? partition;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The row is read before the first call runs (Invoke), except a new order's placement: see PlaceWithMarketplace.
        row = NewRow();
        return Task.CompletedTask;
    }

    /// <summary>Every call but a placement finds the row read (and the deadline timer armed) before it runs.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!loaded && context.MethodName != nameof(PlaceWithMarketplace))
        {
            await Load();
        }
        await context.Invoke();
    }

    private OrderRow<SellerOrderState> NewRow() => new(storage, StorageNames.SellerOrderState, this.GetGrainId());

    private async Task Load()
    {
        row = NewRow();
        await row.Read();
        loaded = true;
        ArmDeadlineTimer();
    }

    public Task<SellerReply> Place(PlaceSellerOrder command) =>
        command.SellerOrderId == this.GetPrimaryKeyString()
            ? Run(command)
            : Task.FromResult(new SellerReply(CommandOutcome.Rejected, RejectionCodes.InvalidCommand,
                $"command is for {command.SellerOrderId}, not {this.GetPrimaryKeyString()}", null, null));

    /// <summary>
    /// On an activation that has not read its row, a placement the marketplace order sends <paramref name="unread"/> (it
    /// took the order to be new without reading) is decided as on no row: the pair write expects none, and fails whole
    /// if one exists. Otherwise the row is read first.
    /// </summary>
    public async Task<PairReply> PlaceWithMarketplace(PlaceSellerOrder command, Immutable<MarketplaceOrderState> sent, string? marketplaceVersion, bool unread = false)
    {
        if (!loaded && !unread)
        {
            await Load();
        }
        var marketplace = sent.Value;
        var now = time.GetUtcNow();
        var before = Before();
        var decision = command.SellerOrderId == this.GetPrimaryKeyString()
            ? SellerOrderDecider.Handle(Order, command, now, options.Value.Timings)
            : SellerDecision.Reject(RejectionCodes.InvalidCommand, $"command is for {command.SellerOrderId}, not {this.GetPrimaryKeyString()}");
        if (!Order.Exists)
        {
            row.State = new SellerOrderState(); // a rejected placement leaves nothing behind (the marketplace order is written alone)
        }
        else if (Order.Sequence > marketplace.SellerSequence)
        {
            MarketplaceOrderDecider.Handle(marketplace, new MirrorSeller(SellerOrderView.From(Order), "place"), now);
        }
        // The marketplace order is written on every placement, a replay too: a crash may have come between two writes before pair writes.
        var version = await Commit(command, decision, before, marketplace, marketplaceVersion, marketplaceChanged: true);
        loaded |= Order.Exists; // read before, or written now (a failed write drops this activation; a refused placement wrote nothing of it)
        return new PairReply(decision.Outcome, decision.Code, decision.Message, decision.CancellationRequestId, View(), marketplace, version);
    }

    public async Task<PairReply> DecideForMarketplace(PairCommand command, Immutable<MarketplaceOrderState> sent, string? marketplaceVersion)
    {
        var marketplace = sent.Value;
        var now = time.GetUtcNow();
        var before = Before();
        var marketplaceHistory = marketplace.History.Count;
        SellerCommand? asked = null;
        SellerDecision? sellerDecision = null;
        var decision = OrderPairProtocol.RunNow(marketplace, command.DecidedBySeller(), c =>
        {
            asked = c;
            if (!Order.Exists)
            {
                return new SellerReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"seller order {this.GetPrimaryKeyString()} does not exist", null, null);
            }
            sellerDecision = SellerOrderDecider.Handle(Order, c, now, options.Value.Timings);
            return new SellerReply(sellerDecision.Outcome, sellerDecision.Code, sellerDecision.Message, sellerDecision.CancellationRequestId, View());
        }, now);
        var due = sellerDecision is { IsAccepted: true } ? ApplyDueDeadline(marketplace, now) : null;
        var version = await Commit(asked, sellerDecision, before, marketplace, marketplaceVersion,
            marketplace.History.Count != marketplaceHistory || due is not null, due);
        return new PairReply(decision.Outcome, decision.Code, decision.Message, decision.CancellationRequestId, View(), marketplace, version);
    }

    public Task<SellerReply> StartHandling(Access? access = null) => Run(new StartHandling(), access);

    public Task<SellerReply> Cancel(Actor by, string reason, string? requestedByUser, Access? access = null) =>
        Run(new CancelSellerOrder(by, reason, requestedByUser), access);

    public Task<SellerReply> AcceptCancellationRequest(string requestId, Access? access = null) => Run(new AcceptCancellationRequest(requestId), access);

    public Task<SellerReply> DenyCancellationRequest(string requestId, string? denyReason, Access? access = null) =>
        Run(new DenyCancellationRequest(requestId, denyReason), access);

    public Task<SellerReply> WithdrawCancellationRequest(Actor by, string requestId, Access? access = null) =>
        Run(new WithdrawCancellationRequest(by, requestId), access);

    public Task<SellerReply> Invoice(Invoice invoice, Access? access = null) => Run(new AddInvoice(invoice), access);

    public Task<SellerReply> UpdateInvoice(string invoiceNumber, InvoiceShipping shipping, Access? access = null) =>
        Run(new UpdateInvoice(invoiceNumber, shipping), access);

    public Task<SellerReply> UpdateTracking(string invoiceNumber, TrackingUpdate tracking, Access? access = null) =>
        Run(new UpdateTracking(invoiceNumber, tracking), access);

    public Task<SellerOrderView?> GetView() => Task.FromResult(Order.Exists ? SellerOrderView.From(Order) : null);

    public Task<IReadOnlyList<HistoryEntry>> GetHistory() => Task.FromResult<IReadOnlyList<HistoryEntry>>([.. Order.History]);

    /// <summary>Wakes the change-log reader of this order's partition (ops: redeliver now rather than at the next poll).</summary>
    public Task Republish()
    {
        if (Order.Exists) WakeLogReader();
        return Task.CompletedTask;
    }

    public Task FireDeadline() => OnDeadline();

    public async Task RecordRepair(Repair repair, string command, string whatChanged)
    {
        if (!Order.Exists) return;
        var status = Order.Status.Vtex();
        Order.History.Add(new HistoryEntry(time.GetUtcNow(), Actor.Ops, command, CommandOutcome.Accepted, status, status, null, repair.Audit(whatChanged)));
        await Write(); // the same sequence: no change-log entry, no status change
    }

    public async Task<RepairReply> FireDueDeadline(Repair repair)
    {
        var status = Order.Exists ? Order.Status.Vtex() : "none";
        if (!Order.Exists)
        {
            return new RepairReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"no seller order {this.GetPrimaryKeyString()}", status, status);
        }
        if (DeadlineCommand() is not { } command || Order.NextDeadline is not { } due)
        {
            return new RepairReply(CommandOutcome.Replayed, null, $"nothing waits on time: the order is {status}", status, status);
        }
        if (due > time.GetUtcNow())
        {
            return new RepairReply(CommandOutcome.Rejected, "DEADLINE_NOT_DUE", $"the deadline is due at {due:u}, not yet: a repair never brings it forward", status, status);
        }
        var reply = await Run(command, repair);
        return new RepairReply(reply.Outcome, reply.Code, reply.Message, status, Order.Status.Vtex());
    }

    /// <summary>
    /// Orders placed before deadlines moved to the <c>og_deadline</c> index kept an Orleans "deadline" reminder. One that
    /// fires removes itself and applies the deadline if it is due; the state write that follows indexes the next one.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        await OnDeadline();
    }

    /// <summary>The command a deadline of the current status applies (its default outcome), if the status waits on time.</summary>
    private SellerCommand? DeadlineCommand() => Order.Status switch
    {
        SellerOrderStatus.WindowToCancel => new ExpireCancellationWindow(),
        SellerOrderStatus.OrderAccepted or SellerOrderStatus.CancellationRequested => new ReachDeadline(),
        _ => null,
    };

    private async Task OnDeadline()
    {
        var command = DeadlineCommand();
        if (command is null)
        {
            return; // nothing waits on time (the sweep read an index entry this order has since left)
        }
        if (Order.NextDeadline > time.GetUtcNow())
        {
            ArmDeadlineTimer(); // not due yet (another silo's clock ran ahead): wait for it here
            return;
        }
        await Run(command);
    }

    /// <summary>The gateway's caller may not see this order, or expects another version: the answer, without running the command.</summary>
    private SellerReply? Refused(Access? access)
    {
        if (access is null)
        {
            return null;
        }
        // Only a marketplace order knows its account: a marketplace caller never addresses a seller grain directly.
        if (!Order.Exists || access.Account is not null || (access.SellerId is { } seller && seller != Order.SellerId))
        {
            return new SellerReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"no seller order {this.GetPrimaryKeyString()} for this caller", null, null);
        }
        return access.ExpectedVersion is { } expected && expected != Order.Sequence
            ? new SellerReply(CommandOutcome.Rejected, RejectionCodes.VersionMismatch,
                $"If-Match names version {expected}, the seller order is at version {Order.Sequence}", null, SellerOrderView.From(Order))
            : null;
    }

    private Task<SellerReply> Run(SellerCommand command, Access? access) =>
        Refused(access) is { } refusal ? Task.FromResult(refusal) : Run(command);

    /// <summary>Decides, writes (with an ops audit line when <paramref name="repair"/> took effect), wakes the log reader, arms the timer.</summary>
    private async Task<SellerReply> Run(SellerCommand command, Repair? repair = null)
    {
        if (!Order.Exists && command is not PlaceSellerOrder)
        {
            return new SellerReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"seller order {this.GetPrimaryKeyString()} does not exist", null, null);
        }

        var before = Before();
        var decision = SellerOrderDecider.Handle(Order, command, time.GetUtcNow(), options.Value.Timings);
        if (repair is not null && decision.IsAccepted)
        {
            Order.History.Add(new HistoryEntry(time.GetUtcNow(), Actor.Ops, "ops-" + command.Name, CommandOutcome.Accepted, before.Status, Order.Status.Vtex(), null,
                repair.Audit(decision.Message)));
        }
        if (!Order.Exists)
        {
            row.State = new SellerOrderState(); // a rejected placement leaves nothing behind
            return Reply(decision, null);
        }

        await Write();
        Committed(command, decision, before);
        var view = SellerOrderView.From(Order);
        if (Order.Sequence != before.Sequence && command is not PlaceSellerOrder)
        {
            // A marketplace command's change went back to the marketplace order in its reply; this one it learns now.
            push.Push(GrainFactory, Order.MarketplaceOrderId, new SellerOrderChanged($"{this.GetPrimaryKeyString()}#{Order.Sequence}", Order.Sequence, command.Name, view));
        }
        return Reply(decision, view);
    }

    private sealed record Snapshot(long Sequence, int History, DateTimeOffset? Deadline, string Status);

    /// <summary>A deadline applied in the turn of the command that set it: the row as the command left it, and the deadline's own step.</summary>
    private sealed record DueStep(OrderRow<SellerOrderState> Earlier, SellerCommand Command, SellerDecision Decision, Snapshot Before);

    /// <summary>
    /// A deadline already due when the command set it (a zero cancellation window) is applied in the same turn, as its own
    /// transition — its own sequence number and change-log entry — and committed in the same transaction as the command and
    /// the marketplace order (which mirrors it): no timer trip and no commit of its own, just as a row-locking
    /// implementation applies it in the payment's transaction. A deadline still ahead is left to the timer and the sweep.
    /// </summary>
    private DueStep? ApplyDueDeadline(MarketplaceOrderState marketplace, DateTimeOffset now)
    {
        if (DeadlineCommand() is not { } command || Order.NextDeadline is not { } due || due > now)
        {
            return null;
        }
        var earlier = row.Copy(state => state.Copy());
        var before = Before();
        var decision = SellerOrderDecider.Handle(Order, command, now, options.Value.Timings);
        if (!decision.IsAccepted)
        {
            row.State = earlier.State; // not taken (cannot happen on a due deadline): the state as the command left it
            return null;
        }
        MarketplaceOrderDecider.Handle(marketplace, new MirrorSeller(SellerOrderView.From(Order), command.Name), now);
        return new DueStep(earlier, command, decision, before);
    }

    private Snapshot Before() => new(Order.Sequence, Order.History.Count, Order.NextDeadline, Order.Exists ? Order.Status.Vtex() : "none");

    private SellerOrderView? View() => Order.Exists ? SellerOrderView.From(Order) : null;

    /// <summary>
    /// Writes what a marketplace command changed: this order's row and the marketplace order's, in one transaction when
    /// both changed. Returns the marketplace row's version after it.
    /// </summary>
    private async Task<string?> Commit(SellerCommand? command, SellerDecision? decision, Snapshot before,
        MarketplaceOrderState marketplace, string? marketplaceVersion, bool marketplaceChanged, DueStep? due = null)
    {
        var sellerChanged = Order.Exists && (Order.Sequence != before.Sequence || Order.History.Count != before.History);
        var theirs = new OrderRow<MarketplaceOrderState>(storage, StorageNames.MarketplaceOrderState,
            GrainFactory.MarketplaceOrder(marketplace.MarketplaceOrderId).GetGrainId())
        {
            State = marketplace,
            ETag = marketplaceVersion,
            RecordExists = marketplaceVersion is not null,
        };
        // If it fails, the marketplace order drops its own activation too.
        await WriteOrDrop(() => sellerChanged && marketplaceChanged ? row.WriteWith(theirs, due?.Earlier)
            : sellerChanged ? row.Write()
            : marketplaceChanged ? theirs.Write()
            : Task.CompletedTask);
        marketplace.Document = null; // filed by the placing write; transitions never carry it
        if (sellerChanged && command is not null && decision is not null)
        {
            Committed(command, decision, before, due);
        }
        return theirs.ETag;
    }

    /// <summary>After this order's write committed: the log, the metrics, the change log's reader, the deadline timer.</summary>
    private void Committed(SellerCommand command, SellerDecision decision, Snapshot before, DueStep? due = null)
    {
        Decided(command, decision, before.Status, due?.Before.Status ?? Order.Status.Vtex());
        if (due is not null)
        {
            Decided(due.Command, due.Decision, due.Before.Status, Order.Status.Vtex());
        }
        if (Order.Sequence != before.Sequence)
        {
            // The state write appended the change to the log (same transaction); the reader need not wait for its poll.
            WakeLogReader();
        }
        if (decision.IsAccepted && Order.NextDeadline != before.Deadline)
        {
            // The state write indexed the new deadline (og_deadline) for the sweep; while active, this timer is on time.
            ArmDeadlineTimer();
        }
    }

    private void Decided(SellerCommand command, SellerDecision decision, string from, string to)
    {
        LogDecision(log, this.GetPrimaryKeyString(), command.Name, decision.Outcome, to, decision.Message);
        Metrics.Decided("seller", command.Name, decision.Outcome, from, to);
    }

    private Task Write() => WriteOrDrop(row.Write);

    private async Task WriteOrDrop(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch
        {
            // The in-memory state ran ahead of storage (or may have): drop it so the next call reloads what was stored.
            DeactivateOnIdle();
            throw;
        }
    }

    private static SellerReply Reply(Decision<SellerEvent, SellerOrderStatus> decision, SellerOrderView? view) =>
        new(decision.Outcome, decision.Code, decision.Message, decision.CancellationRequestId, view);

    private void WakeLogReader() => wakeups.Committed(partition ??= ChangeLogPartitions.Of(Order.MarketplaceOrderId));

    /// <summary>
    /// Two clocks for one deadline, neither a commit of its own: this grain timer fires on time while the order is active,
    /// and the partition's deadline sweep (<see cref="ChangeLogPartitionGrain"/>, over the index the state write keeps)
    /// fires it when the order was collected or its silo died. Whichever comes second finds nothing due.
    /// </summary>
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
