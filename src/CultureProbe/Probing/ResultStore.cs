using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CultureProbe.Probing;

/// <summary>The score of one answer continuation.</summary>
/// <param name="Continuation">The continuation text as appended to the prompt.</param>
/// <param name="LogProb">Sum of the continuation tokens' log-probabilities (nats); for sampled methods, the log of the observed share.</param>
/// <param name="TokenCount">Number of continuation tokens (0 for sampled methods).</param>
/// <param name="ByteCount">UTF-8 bytes of the continuation, for per-byte normalisation.</param>
/// <param name="Greedy">Whether every token was the model's most likely one.</param>
/// <param name="TokenIds">The continuation's token ids, when known.</param>
/// <param name="TokenLogProbs">Per-token log-probabilities, when known.</param>
public sealed record ScoredOption(
    string Continuation,
    double LogProb,
    int TokenCount,
    int ByteCount,
    bool Greedy,
    IReadOnlyList<int>? TokenIds = null,
    IReadOnlyList<double>? TokenLogProbs = null);

/// <summary>One scored (model, template, question, country) item as stored.</summary>
/// <param name="Key">Content hash of everything that determines the scores (see <see cref="ResultStore.KeyOf"/>).</param>
/// <param name="ModelId">Model id in the run.</param>
/// <param name="Question">Item code.</param>
/// <param name="Country">ISO alpha-3 code.</param>
/// <param name="TemplateId">Template id.</param>
/// <param name="Method">Scoring method that produced it.</param>
/// <param name="Options">Scores of the K continuations, in option order.</param>
/// <param name="Deterministic">True for log-prob scoring: safe to reuse. Sampled results are stored with their seed and never reused as a cache.</param>
/// <param name="SamplingInfo">For chat methods, as JSON: seed, temperature, N and unparseable count of sampling; imputed options and mass of top-logprobs.</param>
public sealed record StoredItem(
    string Key,
    string ModelId,
    string Question,
    string Country,
    string TemplateId,
    string Method,
    IReadOnlyList<ScoredOption> Options,
    bool Deterministic = true,
    string? SamplingInfo = null);

/// <summary>
/// SQLite store of scored items, keyed by content hash. Every item is committed in its own
/// transaction the moment it is scored, in WAL mode with full sync, so a run killed at any
/// point (even SIGKILL) loses at most the item in flight, and the primary key makes a
/// rerun's insert of an item that is already there a no-op: nothing is duplicated.
/// </summary>
public sealed class ResultStore : IDisposable
{
    private const int SchemaVersion = 1;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly SqliteConnection _connection;

    private ResultStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public static ResultStore Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS items (
                    key TEXT PRIMARY KEY,
                    model_id TEXT NOT NULL,
                    question TEXT NOT NULL,
                    country TEXT NOT NULL,
                    template_id TEXT NOT NULL,
                    method TEXT NOT NULL,
                    deterministic INTEGER NOT NULL,
                    sampling TEXT,
                    options TEXT NOT NULL,
                    created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS failures (
                    key TEXT PRIMARY KEY,
                    model_id TEXT NOT NULL,
                    question TEXT NOT NULL,
                    country TEXT NOT NULL,
                    error TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    failed_at TEXT NOT NULL);
                """);
            using var check = connection.CreateCommand();
            check.CommandText = "INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', $v); SELECT value FROM meta WHERE name = 'schema';";
            check.Parameters.AddWithValue("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture));
            var version = Convert.ToString(check.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw new InputException($"{full}: result store schema {version} is not supported by this build (expected {SchemaVersion}); use a new --cache file");
            }
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InputException($"{full}: cannot open the result store: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new ResultStore(connection, full);
    }

    /// <summary>
    /// The content hash of an item: SHA-256 over the canonical list of everything that
    /// determines its scores (model file hash or endpoint and model name, template text hash,
    /// question code and text, country name, answer texts, scorer options).
    /// </summary>
    public static string KeyOf(IEnumerable<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            // Length-prefixed so that no two different lists encode the same way.
            builder.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>The stored item with this key, or null.</summary>
    public StoredItem? Find(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, model_id, question, country, template_id, method, options, deterministic, sampling FROM items WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadItem(reader) : null;
    }

    /// <summary>Keys of every stored item (for skipping work on a rerun).</summary>
    public HashSet<string> Keys()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key FROM items";
        using var reader = command.ExecuteReader();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }
        return keys;
    }

    /// <summary>Number of stored items.</summary>
    public long Count()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM items";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Stores an item in its own committed transaction. An item already stored under the same
    /// key is kept (its scores are the same by construction); a recorded failure is cleared.
    /// </summary>
    public void Add(StoredItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Options.Any(o => !double.IsFinite(o.LogProb) && !double.IsNegativeInfinity(o.LogProb)))
        {
            throw new ArgumentException($"item {item.Key}: a log-probability is NaN or +infinity; refusing to store it", nameof(item));
        }
        using var transaction = _connection.BeginTransaction();
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR IGNORE INTO items (key, model_id, question, country, template_id, method, deterministic, sampling, options, created_at)
                VALUES ($key, $model, $question, $country, $template, $method, $deterministic, $sampling, $options, $created);
                DELETE FROM failures WHERE key = $key;
                """;
            command.Parameters.AddWithValue("$key", item.Key);
            command.Parameters.AddWithValue("$model", item.ModelId);
            command.Parameters.AddWithValue("$question", item.Question);
            command.Parameters.AddWithValue("$country", item.Country);
            command.Parameters.AddWithValue("$template", item.TemplateId);
            command.Parameters.AddWithValue("$method", item.Method);
            command.Parameters.AddWithValue("$deterministic", item.Deterministic ? 1 : 0);
            command.Parameters.AddWithValue("$sampling", (object?)item.SamplingInfo ?? DBNull.Value);
            command.Parameters.AddWithValue("$options", SerializeOptions(item.Options));
            command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Records that an item failed after its retries; it is never stored as a score.</summary>
    public void AddFailure(string key, string modelId, string question, string country, string error)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO failures (key, model_id, question, country, error, attempts, failed_at)
            VALUES ($key, $model, $question, $country, $error, 1, $at)
            ON CONFLICT(key) DO UPDATE SET error = excluded.error, attempts = attempts + 1, failed_at = excluded.failed_at;
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$model", modelId);
        command.Parameters.AddWithValue("$question", question);
        command.Parameters.AddWithValue("$country", country);
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    /// <summary>Failures recorded and not since scored.</summary>
    public IReadOnlyList<(string Key, string ModelId, string Question, string Country, string Error, int Attempts)> Failures()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, model_id, question, country, error, attempts FROM failures ORDER BY model_id, question, country";
        using var reader = command.ExecuteReader();
        var list = new List<(string, string, string, string, string, int)>();
        while (reader.Read())
        {
            list.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        }
        return list;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static StoredItem ReadItem(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        JsonSerializer.Deserialize<List<ScoredOption>>(reader.GetString(6), Json) ?? [],
        reader.GetInt32(7) == 1,
        reader.IsDBNull(8) ? null : reader.GetString(8));

    private static string SerializeOptions(IReadOnlyList<ScoredOption> options) =>
        // -Infinity (an impossible continuation) is not JSON; it is written as the most negative double.
        JsonSerializer.Serialize(options.Select(o => double.IsNegativeInfinity(o.LogProb) ? o with { LogProb = double.MinValue } : o), Json);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
