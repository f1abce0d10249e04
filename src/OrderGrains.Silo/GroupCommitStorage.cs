using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrderGrains.Silo;

/// <summary>How state writes share PostgreSQL commits (section <c>Storage</c>).</summary>
public sealed record GroupCommitOptions
{
    /// <summary>false: every write its own transaction, sent by the ADO.NET provider (for comparison).</summary>
    public bool GroupCommit { get; init; } = true;

    /// <summary>At most this many grains' writes in one transaction.</summary>
    public int MaxWritesPerCommit { get; init; } = 64;

    /// <summary>
    /// Transactions in flight at once. A write that arrives while all of them are running waits for the next one and
    /// shares it with every write that arrived meanwhile; with none running it is sent at once (no added latency when quiet).
    /// </summary>
    public int ConcurrentCommits { get; init; } = 2;

    /// <summary>Reads and checks the section; throws with every problem named.</summary>
    public static GroupCommitOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection("Storage").Get<GroupCommitOptions>() ?? new GroupCommitOptions();
        var errors = new List<string>();
        if (options.ConcurrentCommits < 1) errors.Add($"Storage:ConcurrentCommits must be at least 1 (is {options.ConcurrentCommits})");
        if (options.MaxWritesPerCommit < 1) errors.Add($"Storage:MaxWritesPerCommit must be at least 1 (is {options.MaxWritesPerCommit})");
        return errors.Count == 0 ? options : throw new InvalidOperationException("Invalid configuration: " + string.Join("; ", errors));
    }
}

/// <summary>
/// Order state writes on PostgreSQL with group commit: the writes of different grains that arrive while a commit is in
/// flight go together in the next transaction — one round trip (an Npgsql batch, which PostgreSQL runs as one implicit
/// transaction) and one WAL flush for all of them. Each write is still what the ADO.NET provider sends
/// (<c>orleans_storage_write</c>: the state row, its change-log entry, document and deadline, with its own version check),
/// under the same keys, so reads, clears and every SQL view are unchanged; and each grain's write returns only once its
/// transaction has committed. A version conflict fails only its own write. A write that makes PostgreSQL raise an
/// error aborts the transaction, so nothing of it committed: its writes are then sent again one transaction each, and
/// only the failing one fails. An activation awaits its write, so a transaction holds one write per grain; two
/// activations of one grain that both write are told apart by the version check, so a transaction never holds two
/// entries of one order either. A pair write (<see cref="WritePair"/>: a seller order and its marketplace order, decided
/// in one turn) is one unit of a transaction: both rows or neither, a stale version on either failing both.
/// Why: on this project's machine a commit (a WAL flush) is the scarce resource — pgbench's one-row transactions reach
/// 1,200–2,300 a second at any number of clients — and a lifecycle takes seven writes; sharing commits is what one writer per order allows and a
/// row-locking application cannot do.
/// </summary>
public sealed partial class GroupCommitStorage(
    IGrainStorage adoNet, NpgsqlDataSource dataSource, string serviceId, IGrainStorageSerializer serializer,
    GroupCommitOptions options, ILogger<GroupCommitStorage> logger) : IGrainStorage, OrderGrains.Grains.IPairWriter
{
    private const string WriteSql = "SELECT orleans_storage_write($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    /// <summary>A row of a pair: raises SQLSTATE <see cref="ConflictState"/> on a stale version, so the other row rolls back too (migration 0010).</summary>
    private const string StrictWriteSql = "SELECT og_storage_write_strict($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    private const string ConflictState = "OG409";
    /// <summary>
    /// The ADO.NET provider's <c>ReadFromStorageKey</c> (migrations/0001_schema.sql) with positional parameters: key hash,
    /// type hash, service, type, N0, N1, extension. Public for the test of its plan (StateLookupTests).
    /// </summary>
    public const string ReadSql = """
        SELECT PayloadBinary, Version
        FROM OrleansStorage
        WHERE GrainIdHash = $1
          AND GrainTypeHash = $2
          AND ServiceId = $3
          AND GrainTypeString = $4
          AND GrainIdN0 = $5
          AND GrainIdN1 = $6
          AND (GrainIdExtensionString IS NULL) = ($7::text IS NULL)
          AND COALESCE(GrainIdExtensionString, '') = COALESCE($7::text, '')
        """;
    private static readonly OrleansDefaultHasher Hasher = new();
    private static readonly ConcurrentDictionary<string, int> StateNameHashes = new();
    private readonly ConcurrentQueue<PendingWrite> queue = new();
    private int running;
    private long transactions;

    /// <summary>Transactions sent so far (each carries one write or many).</summary>
    public long Transactions => Interlocked.Read(ref transactions);

    /// <summary>
    /// The row by its key, as the ADO.NET provider reads it (the same conditions as its <c>ReadFromStorageKey</c>, so the
    /// same index), but as one prepared statement on this storage's data source: an activation's read went through the
    /// provider's general-purpose relational layer, a seventh of the silo's managed CPU in a lifecycle profile. As the
    /// provider: no row is a new state with no version; a cleared row (no payload) a new state with its version, and neither
    /// counts as an existing record.
    /// </summary>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key.Of(grainId);
        await using var command = dataSource.CreateCommand(ReadSql);
        command.Parameters.Add(new() { Value = key.IdHash, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = TypeHash(stateName), NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = serviceId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = stateName, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = key.N0, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = key.N1, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)key.Extension ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        byte[]? payload = null;
        int? version = null;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            if (await reader.ReadAsync())
            {
                payload = reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0);
                version = reader.IsDBNull(1) ? null : reader.GetInt32(1);
            }
        }
        grainState.State = payload is null ? Activator.CreateInstance<T>() : serializer.Deserialize<T>(new BinaryData(payload));
        grainState.ETag = version?.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = payload is not null;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => adoNet.ClearStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = Row(stateName, grainId, grainState);
        var stored = (await Queue(new PendingWrite([row])))[0];
        // As the ADO.NET provider: an unchanged version means another activation wrote first, and so does none at all
        // (a first write that found the row already there).
        if (stored is null || stored == row.Expected)
        {
            throw Conflict(row, grainState.ETag);
        }
        Stored(grainState, stored.Value);
    }

    public async Task WritePair<TFirst, TSecond>(string firstName, GrainId first, IReadOnlyList<IGrainState<TFirst>> firstStates,
        string secondName, GrainId second, IGrainState<TSecond> secondState)
    {
        var expected = Version(firstStates[0].ETag);
        var rows = new PendingRow[firstStates.Count + 1];
        for (var i = 0; i < firstStates.Count; i++)
        {
            rows[i] = Row(firstName, first, firstStates[i], expected);
            expected = (expected ?? 0) + 1; // each later state of the row expects the version the one before it makes
        }
        rows[^1] = Row(secondName, second, secondState);
        var stored = await Queue(new PendingWrite(rows));
        for (var i = 0; i < firstStates.Count; i++)
        {
            Stored(firstStates[i], stored[i]!.Value);
        }
        Stored(secondState, stored[^1]!.Value);
    }

    private Task<int?[]> Queue(PendingWrite write)
    {
        queue.Enqueue(write);
        Start();
        return write.Done.Task;
    }

    private static int TypeHash(string stateName) => StateNameHashes.GetOrAdd(stateName, name => Hasher.Hash(Encoding.UTF8.GetBytes(name)));

    private PendingRow Row<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Row(stateName, grainId, grainState, Version(grainState.ETag));

    /// <summary>The version an ETag names (the provider's ETags are versions); none before the first write.</summary>
    private static int? Version(string? etag) =>
        string.IsNullOrWhiteSpace(etag) ? null : int.Parse(etag, CultureInfo.InvariantCulture);

    private PendingRow Row<T>(string stateName, GrainId grainId, IGrainState<T> grainState, int? expected) =>
        new(Key.Of(grainId), stateName, expected, serializer.Serialize(grainState.State).ToArray());

    private static void Stored<T>(IGrainState<T> grainState, int version)
    {
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private InconsistentStateException Conflict(PendingRow row, string? etag) =>
        new($"Version conflict (WriteState): ServiceId={serviceId} GrainType={row.StateName} GrainId={row.Key} ETag={etag}.");

    /// <summary>Starts a committer when fewer than <see cref="GroupCommitOptions.ConcurrentCommits"/> run and writes wait.</summary>
    private void Start()
    {
        while (!queue.IsEmpty)
        {
            var now = Volatile.Read(ref running);
            if (now >= options.ConcurrentCommits)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref running, now + 1, now) == now)
            {
                _ = Task.Run(Commit);
                return;
            }
        }
    }

    /// <summary>Commits what waits, a transaction at a time, until nothing does.</summary>
    private async Task Commit()
    {
        try
        {
            var batch = new List<PendingWrite>(options.MaxWritesPerCommit);
            while (true)
            {
                batch.Clear();
                while (batch.Count < options.MaxWritesPerCommit && queue.TryDequeue(out var write))
                {
                    batch.Add(write);
                }
                if (batch.Count == 0)
                {
                    break;
                }
                await CommitTogether(batch);
            }
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
        // A write queued between the last empty look and the decrement found every committer busy: start one for it.
        Start();
    }

    private async Task CommitTogether(List<PendingWrite> batch)
    {
        try
        {
            var stored = await Send(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(stored[i]);
            }
        }
        catch (PostgresException ex) when (batch.Count > 1)
        {
            // PostgreSQL refused one of them and rolled the transaction back: nothing committed. One transaction each.
            LogAlone(logger, batch.Count, ex.SqlState, ex.MessageText);
            foreach (var write in batch)
            {
                try
                {
                    write.Done.TrySetResult((await Send([write]))[0]);
                }
                catch (Exception alone)
                {
                    write.Done.TrySetException(Refused(write, alone));
                }
            }
        }
        catch (Exception ex)
        {
            // Unknown whether it committed (a broken connection): each grain fails its write, as with a write of its own.
            foreach (var write in batch)
            {
                write.Done.TrySetException(batch.Count == 1 ? Refused(write, ex) : ex);
            }
        }
    }

    /// <summary>A pair refused for a stale version is a version conflict, as a lone write's is.</summary>
    private Exception Refused(PendingWrite write, Exception ex) =>
        ex is PostgresException { SqlState: ConflictState } ? Conflict(write.Rows[0], write.Rows[0].Expected?.ToString(CultureInfo.InvariantCulture)) : ex;

    /// <summary>One transaction (an Npgsql batch): every row of every write; per write, the versions stored.</summary>
    private async Task<int?[][]> Send(IReadOnlyList<PendingWrite> writes)
    {
        Interlocked.Increment(ref transactions);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var write in writes)
        {
            foreach (var row in write.Rows)
            {
                var command = new NpgsqlBatchCommand(write.Rows.Length == 1 ? WriteSql : StrictWriteSql);
                command.Parameters.Add(new() { Value = row.Key.IdHash, NpgsqlDbType = NpgsqlDbType.Integer });
                command.Parameters.Add(new() { Value = row.Key.N0, NpgsqlDbType = NpgsqlDbType.Bigint });
                command.Parameters.Add(new() { Value = row.Key.N1, NpgsqlDbType = NpgsqlDbType.Bigint });
                command.Parameters.Add(new() { Value = TypeHash(row.StateName), NpgsqlDbType = NpgsqlDbType.Integer });
                command.Parameters.Add(new() { Value = row.StateName, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new() { Value = (object?)row.Key.Extension ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new() { Value = serviceId, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new() { Value = (object?)row.Expected ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
                command.Parameters.Add(new() { Value = row.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
                batch.BatchCommands.Add(command);
            }
        }
        var stored = new int?[writes.Count][];
        await using var reader = await batch.ExecuteReaderAsync();
        var first = true;
        for (var i = 0; i < writes.Count; i++)
        {
            stored[i] = new int?[writes[i].Rows.Length];
            for (var j = 0; j < writes[i].Rows.Length; j++)
            {
                if (!first)
                {
                    await reader.NextResultAsync();
                }
                first = false;
                await reader.ReadAsync();
                stored[i][j] = reader.IsDBNull(0) ? null : reader.GetInt32(0);
            }
        }
        return stored;
    }

    private sealed record PendingRow(Key Key, string StateName, int? Expected, byte[] Payload);

    /// <summary>One grain's write, or a pair's: its rows commit together or not at all.</summary>
    private sealed record PendingWrite(PendingRow[] Rows)
    {
        /// <summary>
        /// Completed by the committer. Continuations run as it completes it: a grain's awaiting write continues on its
        /// activation's scheduler anyway, so it is queued there directly instead of through one more thread-pool item.
        /// </summary>
        public TaskCompletionSource<int?[]> Done { get; } = new();
    }

    /// <summary>A grain's row key as the ADO.NET provider computes it (AdoGrainKey, OrleansDefaultHasher), so both find the same row.</summary>
    internal sealed record Key(int IdHash, long N0, long N1, string? Extension)
    {
        public static Key Of(GrainId grainId)
        {
            if (grainId.TryGetGuidKey(out var guid, out var extension))
            {
                var bytes = guid.ToByteArray();
                return Hashed(BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), extension, guid.ToByteArray());
            }
            if (grainId.TryGetIntegerKey(out var integer, out extension))
            {
                return Hashed(0, integer, extension, BitConverter.GetBytes(integer));
            }
            var key = grainId.Key.ToString()!;
            return Hashed(0, 0, key, null);
        }

        private static Key Hashed(long n0, long n1, string? extension, byte[]? keyBytes)
        {
            var bytes = keyBytes is null
                ? Encoding.UTF8.GetBytes(extension!)
                : extension is null ? keyBytes : [.. keyBytes, .. Encoding.UTF8.GetBytes(extension)];
            if (BitConverter.IsLittleEndian)
            {
                Array.Reverse(bytes);
            }
            return new Key(Hasher.Hash(bytes), n0, n1, extension);
        }

        public override string ToString() => Extension ?? $"{N0}:{N1}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a transaction of {Count} state writes ({SqlState}: {Error}); sending them one transaction each")]
    private static partial void LogAlone(ILogger logger, int count, string sqlState, string error);
}
