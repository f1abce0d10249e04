using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;
using OrderGrains.Contracts;
using OrderGrains.Domain;
using OrderGrains.Domain.Documents;
using OrderGrains.Domain.MarketplaceOrders;
using OrderGrains.Domain.Protocol;
using OrderGrains.Domain.SellerOrders;

namespace OrderGrains.Grains;

/// <summary>
/// The marketplace order. Owns payment and mirrors its seller order: from the seller's answers to the commands it
/// decides (placement, payment, cancels, withdrawals: the seller order runs the two-order protocol in its turn and
/// commits both orders' rows in one transaction; this order takes back its state and version) and from the change log (<see cref="ChangeLogPartitionGrain"/> calls
/// <see cref="DeliverAll"/> with every committed seller change, at least once, in order). Each change is applied
/// exactly once by sequence number; a gap or an activation pulls the seller's state instead. Nothing runs
/// periodically per order: an idle open order costs nothing.
/// </summary>
public sealed partial class MarketplaceOrderGrain(
    [FromKeyedServices(StorageNames.Orders)] IGrainStorage storage,
    IOrderDocuments documents,
    IOrderAlarms alarms,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider time,
    ILogger<MarketplaceOrderGrain> log) : Grain, IMarketplaceOrderGrain, IRemindable, IIncomingGrainCallFilter
{
    private OrderRow<MarketplaceOrderState> row = null!;

    /// <summary>Whether <see cref="row"/> holds what storage has (read, or written by this activation).</summary>
    private bool loaded;

    private MarketplaceOrderState Order => row.State;

    private ISellerOrderGrain Seller => GrainFactory.SellerOrder(Order.SellerOrderId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The row is read before the first call runs (Invoke), except a placement's: see Place.
        row = NewRow();
        return Task.CompletedTask;
    }

    /// <summary>Every call but a placement finds the row read, and the mirror caught up, before it runs.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!loaded && context.MethodName != nameof(Place))
        {
            await Load();
        }
        await context.Invoke();
    }

    private OrderRow<MarketplaceOrderState> NewRow() => new(storage, StorageNames.MarketplaceOrderState, this.GetGrainId());

    private async Task Load()
    {
        row = NewRow();
        await row.Read();
        loaded = true;
        // Activated behind (after a crash, or events lost while inactive): catch up before anything else.
        if (Order.Exists && !Order.Status.IsFinal())
        {
            await PullSeller("activation");
        }
    }

    /// <summary>
    /// A placement on an activation that has not read its row yet (a new order, the common case) decides as on no row
    /// and sends that to its seller order without reading first (and the seller order, told so, skips its own read): the
    /// pair write expects no rows, so if one exists (a placement sent again, its order collected meanwhile) it fails whole
    /// as a version conflict, nothing written, and the placement runs again on the rows read. No read before a new
    /// order's first commit.
    /// </summary>
    public async Task<MarketplaceReply> Place(PlaceMarketplaceOrder command)
    {
        if (command.MarketplaceOrderId != this.GetPrimaryKeyString())
        {
            return new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.InvalidCommand,
                $"command is for {command.MarketplaceOrderId}, not {this.GetPrimaryKeyString()}", null, null);
        }
        if (!loaded)
        {
            try
            {
                return await PlaceOnRow(command);
            }
            catch (InconsistentStateException)
            {
                LogPlacedBefore(log, this.GetPrimaryKeyString());
                await Load();
            }
            finally
            {
                if (!loaded) row = NewRow(); // rejected without a write: nothing is known of the row yet
            }
        }
        return await PlaceOnRow(command);
    }

    private async Task<MarketplaceReply> PlaceOnRow(PlaceMarketplaceOrder command)
    {
        var decision = Handle(command);
        if (decision.Outcome == CommandOutcome.Rejected)
        {
            return Reply(decision);
        }
        // Also on a replay: a crash may have come before both rows were written (the seller's alone, before pair writes).
        // One transaction for both orders: the seller order places itself and writes this order's row with its own.
        var pair = await Ask(() => Seller.PlaceWithMarketplace(
            new PlaceSellerOrder(Order.SellerOrderId, Order.MarketplaceOrderId, Order.SellerId, Order.Items, Order.Account, Order.OrderGroup, Order.Value),
            Order.AsImmutable(), row.ETag, unread: !loaded));
        return pair.Outcome == CommandOutcome.Rejected
            ? new MarketplaceReply(CommandOutcome.Rejected, pair.Code, $"seller order {Order.SellerOrderId}: {pair.Message}", null, View())
            : Reply(decision);
    }

    public Task<MarketplaceReply> ApprovePayment(Access? access = null) => RunWithSeller(new ApprovePayment(), access);

    public Task<MarketplaceReply> DenyPayment(Access? access = null) =>
        RunWithSeller(new ForwardedCommand(MarketplaceCommandKind.PaymentDenied, Actor.Marketplace, OrderPairProtocol.PaymentDeniedReason), access);

    public Task<MarketplaceReply> Cancel(Actor by, string reason, string? requestedByUser, Access? access = null) =>
        by.IsMarketplaceSide()
            ? RunWithSeller(new ForwardedCommand(by == Actor.Customer ? MarketplaceCommandKind.CancelByCustomer : MarketplaceCommandKind.CancelByMarketplace,
                by, reason, RequestedByUser: requestedByUser), access)
            : Task.FromResult(new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.InvalidCommand,
                "a marketplace order is canceled by the marketplace or the customer; the seller cancels its seller order", null, Order.Exists ? View() : null));

    public Task<MarketplaceReply> WithdrawCancellationRequest(Actor by, string requestId, Access? access = null) =>
        RunWithSeller(new ForwardedCommand(MarketplaceCommandKind.WithdrawCancellationRequest, by, null, RequestId: requestId), access);

    public Task<MarketplaceOrderView?> GetView() => Task.FromResult(Order.Exists ? View() : null);

    /// <summary>Read from where the placing write filed it; the grain does not keep it in memory.</summary>
    public Task<OrderDocument?> GetDocument() => Order.Exists ? documents.Get(this.GetPrimaryKeyString()) : Task.FromResult<OrderDocument?>(null);

    public async Task<MarketplaceOrderRead?> Read() => Order.Exists ? new MarketplaceOrderRead(View(), await GetDocument()) : null;

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

    public Task Deliver(SellerOrderChanged change) => OnSellerChanged(change, "change log");

    public async Task DeliverAll(IReadOnlyList<SellerOrderChanged> changes)
    {
        foreach (var change in changes)
        {
            await OnSellerChanged(change, "change log");
        }
    }

    public Task Take(SellerOrderChanged change) => OnSellerChanged(change, "seller's push");

    public async Task<RepairReply> Resync(Repair repair)
    {
        if (!Order.Exists || await Seller.GetView() is not { } seller)
        {
            return new RepairReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"no order {this.GetPrimaryKeyString()}", "none", "none");
        }
        var now = time.GetUtcNow();
        var from = Order.Status.Vtex();
        var decision = MarketplaceOrderDecider.Resync(Order, seller);
        if (decision.IsAccepted)
        {
            foreach (var @event in decision.Events) MarketplaceOrderDecider.Evolve(Order, @event);
            Order.WorkflowIsInError = false;
            Order.LastChange = now;
            Order.History.Add(new HistoryEntry(now, Actor.Ops, "ops-resync", CommandOutcome.Accepted, from, Order.Status.Vtex(), null, repair.Audit(decision.Message)));
            await Write();
            await alarms.Clear(this.GetPrimaryKeyString(), OrderAlarm.Disagrees);
        }
        LogDecision(log, this.GetPrimaryKeyString(), "ops-resync", decision.Outcome, Order.Status.Vtex(), repair.Audit(decision.Message));
        Metrics.Decided("marketplace", "ops-resync", decision.Outcome, from, Order.Status.Vtex());
        return new RepairReply(decision.Outcome, decision.Code, decision.Message, from, Order.Status.Vtex());
    }

    /// <summary>
    /// Orders placed before the change log kept a "reconcile" reminder; it is no longer needed (the log delivers every
    /// change, activation catches up), so one that fires removes itself. No periodic per-order work remains.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// A command whose outcome the seller order decides: the protocol answers alone (no such order, payment already
    /// decided), or the seller order runs it in its turn on this order's state and commits both rows in one transaction.
    /// </summary>
    private async Task<MarketplaceReply> RunWithSeller(MarketplaceCommand command, Access? access)
    {
        if (Refused(access) is { } refusal)
        {
            return refusal;
        }
        var statusBefore = Order.Exists ? Order.Status.Vtex() : "none";
        MarketplaceReply reply;
        if (OrderPairProtocol.AnswerAlone(Order, command) is not null)
        {
            var before = Order.History.Count;
            var alone = OrderPairProtocol.RunNow(Order, command,
                _ => throw new InvalidOperationException($"{command.Name} is answered without the seller order"), time.GetUtcNow());
            if (Order.History.Count != before)
            {
                await Write();
            }
            reply = Reply(alone);
        }
        else
        {
            var pair = await Ask(() => Seller.DecideForMarketplace(PairCommand.From(command), Order.AsImmutable(), row.ETag));
            reply = new MarketplaceReply(pair.Outcome, pair.Code, pair.Message, pair.CancellationRequestId, View());
        }
        var statusAfter = Order.Exists ? Order.Status.Vtex() : "none";
        LogDecision(log, this.GetPrimaryKeyString(), command.Name, reply.Outcome, statusAfter, reply.Message);
        Metrics.Decided("marketplace", command.Name, reply.Outcome, statusBefore, statusAfter);
        return reply;
    }

    /// <summary>
    /// Asks the seller order to decide and write both rows, then takes this order's state and version from its answer.
    /// If the call fails, whether the transaction committed is unknown: this activation goes, the next reads the row.
    /// </summary>
    private async Task<PairReply> Ask(Func<Task<PairReply>> call)
    {
        PairReply pair;
        try
        {
            pair = await call();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
        row.State = pair.Marketplace;
        row.ETag = pair.MarketplaceVersion;
        row.RecordExists = pair.MarketplaceVersion is not null;
        loaded = true;
        return pair;
    }

    /// <summary>The gateway's caller may not see this order, or expects another version: the answer, without running the command.</summary>
    private MarketplaceReply? Refused(Access? access)
    {
        if (access is null)
        {
            return null;
        }
        if (!Order.Exists || (access.Account is { } account && account != Order.Account) || (access.SellerId is { } seller && seller != Order.SellerId))
        {
            return new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.OrderNotFound, $"no order {this.GetPrimaryKeyString()} for this caller", null, null);
        }
        return access.ExpectedVersion is { } expected && expected != Order.Version
            ? new MarketplaceReply(CommandOutcome.Rejected, RejectionCodes.VersionMismatch,
                $"If-Match names version {expected}, the order is at version {Order.Version}", null, View())
            : null;
    }

    private async Task OnSellerChanged(SellerOrderChanged change, string source)
    {
        if (Order.Exists && change.Sequence == Order.SellerSequence && Order.Seller is { } mirrored && mirrored.Status != change.Seller.Status)
        {
            // The log is the seller's committed truth: a mirror that holds other content at the same sequence took a wrong
            // change before. It is not overwritten here (only a resync moves a mirror backwards along the table): ops is told.
            LogDisagrees(log, this.GetPrimaryKeyString(), change.Sequence, mirrored.Status.Vtex(), change.Seller.Status.Vtex());
            await alarms.Record(new OrderAlarm(this.GetPrimaryKeyString(), OrderAlarm.Disagrees, Order.SellerOrderId,
                $"the change log delivered seller sequence {change.Sequence} as {change.Seller.Status.Vtex()}; the mirror holds it as {mirrored.Status.Vtex()}",
                time.GetUtcNow()));
            return;
        }
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
        ApplySeller(change.Seller, source);
    }

    private async Task PullSeller(string source) => ApplySeller(await Seller.GetView(), source);

    /// <summary>
    /// Takes a newer seller state into the mirror — in memory only: the mirror is not the marketplace's own, it is
    /// rebuilt from the seller order on activation, so a seller change costs the marketplace no write.
    /// </summary>
    private void ApplySeller(SellerOrderView? seller, string source)
    {
        if (seller is not null && seller.Sequence > Order.SellerSequence)
        {
            Handle(new MirrorSeller(seller, source));
        }
    }

    private Decision<MarketplaceEvent, MarketplaceOrderStatus> Handle(MarketplaceCommand command)
    {
        var statusBefore = Order.Exists ? Order.Status.Vtex() : "none";
        var decision = MarketplaceOrderDecider.Handle(Order, command, time.GetUtcNow());
        LogDecision(log, this.GetPrimaryKeyString(), command.Name, decision.Outcome, Order.Exists ? Order.Status.Vtex() : "none", decision.Message);
        Metrics.Decided("marketplace", command.Name, decision.Outcome, statusBefore, Order.Exists ? Order.Status.Vtex() : "none");
        return decision;
    }

    private async Task Write()
    {
        if (!Order.Exists)
        {
            row.State = new MarketplaceOrderState();
            return;
        }
        try
        {
            await row.Write();
            Order.Document = null; // filed by the placing write; transitions never carry it
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marketplace order {OrderId}: the change log delivered seller sequence {Sequence} as {Delivered}, the mirror holds {Mirrored}: listed for ops (resync)")]
    private static partial void LogDisagrees(ILogger logger, string orderId, long sequence, string mirrored, string delivered);

    [LoggerMessage(Level = LogLevel.Information, Message = "Marketplace order {OrderId}: placed before (its row exists); the placement runs again on the row read")]
    private static partial void LogPlacedBefore(ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marketplace order {OrderId}: gap in seller events ({Applied} → {Received}); pulling the seller order")]
    private static partial void LogGap(ILogger logger, string orderId, long applied, long received);
}
