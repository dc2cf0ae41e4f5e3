using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CultureProbe.Models;
using Microsoft.Data.Sqlite;

namespace CultureProbe.Probing;

/// <summary>What was measured for one answer option. Which fields are set depends on what the method measures.</summary>
/// <param name="Continuation">The continuation text as scored (likelihood) or the option's label (shares).</param>
/// <param name="LogProb">Likelihood methods: sum of the continuation tokens' log-probabilities (nats); −∞ allowed. Null for share methods.</param>
/// <param name="TokenCount">Likelihood methods: number of continuation tokens scored.</param>
/// <param name="ByteCount">Likelihood methods: UTF-8 bytes of the continuation as scored, for per-byte normalisation.</param>
/// <param name="Greedy">Likelihood methods: whether every token was the model's most likely one.</param>
/// <param name="TokenIds">Likelihood methods: the continuation's token ids, when known.</param>
/// <param name="TokenLogProbs">Likelihood methods: per-token log-probabilities, when known.</param>
/// <param name="Share">Share methods: the option's measured share (not yet normalised over the options). Null for likelihood methods.</param>
public sealed record ScoredOption(
    string Continuation,
    double? LogProb = null,
    int? TokenCount = null,
    int? ByteCount = null,
    bool? Greedy = null,
    IReadOnlyList<int>? TokenIds = null,
    IReadOnlyList<double>? TokenLogProbs = null,
    double? Share = null);

/// <summary>One measured (model, template, question, country) item as stored.</summary>
/// <param name="Key">Content hash of everything that determines the numbers (see <see cref="ProbePlan.ItemKey"/>).</param>
/// <param name="ModelId">Model id in the run.</param>
/// <param name="Question">Item code.</param>
/// <param name="Country">ISO alpha-3 code.</param>
/// <param name="TemplateId">Template id.</param>
/// <param name="Method">How the numbers were obtained; decides which fields of <see cref="Options"/> are set.</param>
/// <param name="Options">What was measured for the K options, in option order.</param>
/// <param name="Details">For share methods, as JSON: seed, temperature, N and unparseable count of sampling; imputed options and mass of top-logprobs.</param>
public sealed record StoredItem(
    string Key,
    string ModelId,
    string Question,
    string Country,
    string TemplateId,
    ScoringMethod Method,
    IReadOnlyList<ScoredOption> Options,
    string? Details = null);

/// <summary>One generated reply of the multilingual study, as stored.</summary>
/// <param name="Key">Content hash of the model's fingerprint, the prompt, the generation settings and the sample number.</param>
/// <param name="ModelId">Model id in the study.</param>
/// <param name="PromptId">The prompt's id (template, topic, paraphrase).</param>
/// <param name="Language">Prompt language.</param>
/// <param name="TemplateId">Template id.</param>
/// <param name="Topic">Topic key.</param>
/// <param name="Sample">Sample number of the prompt (seed = settings' seed + sample).</param>
/// <param name="Prompt">The prompt as sent.</param>
/// <param name="Settings">The generation settings as text.</param>
/// <param name="Text">The reply.</param>
/// <param name="Tokens">Tokens generated.</param>
/// <param name="FinishReason">stop or length.</param>
public sealed record StoredResponse(string Key, string ModelId, string PromptId, string Language, string TemplateId, string Topic, int Sample,
    string Prompt, string Settings, string Text, int Tokens, string FinishReason);

/// <summary>A judge's reading of one stored response.</summary>
/// <param name="Key">Content hash of the response key, the judge's fingerprint and the judge prompt's version.</param>
/// <param name="ResponseKey">The response judged.</param>
/// <param name="JudgeId">The judge's id.</param>
/// <param name="JudgeFingerprint">The judge model's fingerprint hash.</param>
/// <param name="Language">The language the judge named, or null.</param>
/// <param name="Labels">The labels, comma-separated wire names, or null when the reply named none.</param>
/// <param name="Reply">The judge's reply as it came.</param>
public sealed record StoredJudgement(string Key, string ResponseKey, string JudgeId, string JudgeFingerprint, string? Language, string? Labels, string Reply);

/// <summary>An item that could not be measured; recorded apart from the scores and retried by the next run.</summary>
/// <param name="Key">The item's key.</param>
/// <param name="ModelId">Model id.</param>
/// <param name="Question">Item code.</param>
/// <param name="Country">ISO alpha-3 code.</param>
/// <param name="Error">Why, in one line.</param>
/// <param name="Attempts">Runs that tried it.</param>
public sealed record FailedItem(string Key, string ModelId, string Question, string Country, string Error, int Attempts = 1);

/// <summary>
/// SQLite store of measured items, keyed by content hash. The items of one question tree (all its country
/// branches) are committed in one transaction, in WAL mode with <c>synchronous=NORMAL</c>: a process killed at
/// any point (even SIGKILL) loses nothing committed, and a power cut loses at most the trees of the last moments,
/// which the next run measures again. The primary key makes a rerun's insert of a stored item a no-op, so nothing
/// is duplicated. Sampled results are stored like any other: their seed, temperature and N are in the model's
/// fingerprint, hence in the key, so they are reused only under identical sampling settings.
/// </summary>
public sealed class ResultStore : IDisposable
{
    private const int SchemaVersion = 2;
    private const string Application = "cultureprobe.result-store";
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;

    private ResultStore(SqliteConnection connection, string path, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="time">Clock of the rows' timestamps; the system clock by default.</param>
    /// <exception cref="InputException">The file is not a CultureProbe result store of this schema, or SQLite cannot open it.</exception>
    public static ResultStore Open(string path, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new InputException($"{full}: is a folder; the result store is a file (e.g. results.db)");
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        try
        {
            connection.Open();
            CheckIsStoreOrEmpty(connection, full);
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS items (
                    key TEXT PRIMARY KEY,
                    model_id TEXT NOT NULL,
                    question TEXT NOT NULL,
                    country TEXT NOT NULL,
                    template_id TEXT NOT NULL,
                    method TEXT NOT NULL,
                    details TEXT,
                    options TEXT NOT NULL,
                    created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS responses (
                    key TEXT PRIMARY KEY,
                    model_id TEXT NOT NULL,
                    prompt_id TEXT NOT NULL,
                    language TEXT NOT NULL,
                    template_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    sample INTEGER NOT NULL,
                    prompt TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    text TEXT NOT NULL,
                    tokens INTEGER NOT NULL,
                    finish TEXT NOT NULL,
                    created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS judgements (
                    key TEXT PRIMARY KEY,
                    response_key TEXT NOT NULL,
                    judge_id TEXT NOT NULL,
                    judge_fingerprint TEXT NOT NULL,
                    language TEXT,
                    labels TEXT,
                    reply TEXT NOT NULL,
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
            check.CommandText = """
                INSERT OR IGNORE INTO meta(name, value) VALUES ('application', $app);
                INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', $v);
                SELECT value FROM meta WHERE name = 'schema';
                """;
            check.Parameters.AddWithValue("$app", Application);
            check.Parameters.AddWithValue("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture));
            var version = Convert.ToString(check.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw new InputException($"{full}: result store schema {version} was written by another version of CultureProbe (this one reads schema {SchemaVersion}, "
                    + "whose item keys include each model's fingerprint); give a new --cache file or delete this one");
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
        return new ResultStore(connection, full, time ?? TimeProvider.System);
    }

    /// <summary>The stored item with this key, or null.</summary>
    /// <exception cref="InputException">The stored row is damaged.</exception>
    public StoredItem? Find(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, model_id, question, country, template_id, method, options, details FROM items WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        using var reader = Read(command);
        return reader.Read() ? ReadItem(reader) : null;
    }

    /// <summary>Keys of every stored item (for skipping work on a rerun).</summary>
    public HashSet<string> Keys()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key FROM items";
        using var reader = Read(command);
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

    /// <summary>Stores one item in its own transaction (see <see cref="AddTree"/>).</summary>
    public void Add(StoredItem item) => AddTree([item], []);

    /// <summary>
    /// Stores the measured items and the failures of one question tree in one committed transaction. An item
    /// already stored under the same key is kept (its numbers are the same by construction) and its recorded
    /// failure, if any, is cleared; a failure adds one to the item's attempts.
    /// </summary>
    /// <exception cref="ArgumentException">A likelihood is NaN or +∞, or a share is negative or not finite: such numbers are refused, never stored.</exception>
    public void AddTree(IReadOnlyList<StoredItem> items, IReadOnlyList<FailedItem> failures)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(failures);
        foreach (var item in items)
        {
            CheckNumbers(item);
        }
        var now = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        using var transaction = _connection.BeginTransaction();
        using (var insert = _connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT OR IGNORE INTO items (key, model_id, question, country, template_id, method, details, options, created_at)
                VALUES ($key, $model, $question, $country, $template, $method, $details, $options, $created);
                DELETE FROM failures WHERE key = $key;
                """;
            foreach (var item in items)
            {
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$key", item.Key);
                insert.Parameters.AddWithValue("$model", item.ModelId);
                insert.Parameters.AddWithValue("$question", item.Question);
                insert.Parameters.AddWithValue("$country", item.Country);
                insert.Parameters.AddWithValue("$template", item.TemplateId);
                insert.Parameters.AddWithValue("$method", item.Method.WireName());
                insert.Parameters.AddWithValue("$details", (object?)item.Details ?? DBNull.Value);
                insert.Parameters.AddWithValue("$options", SerializeOptions(item.Options));
                insert.Parameters.AddWithValue("$created", now);
                insert.ExecuteNonQuery();
            }
        }
        using (var fail = _connection.CreateCommand())
        {
            fail.Transaction = transaction;
            fail.CommandText = """
                INSERT INTO failures (key, model_id, question, country, error, attempts, failed_at)
                VALUES ($key, $model, $question, $country, $error, 1, $at)
                ON CONFLICT(key) DO UPDATE SET error = excluded.error, attempts = attempts + 1, failed_at = excluded.failed_at;
                """;
            foreach (var failure in failures)
            {
                fail.Parameters.Clear();
                fail.Parameters.AddWithValue("$key", failure.Key);
                fail.Parameters.AddWithValue("$model", failure.ModelId);
                fail.Parameters.AddWithValue("$question", failure.Question);
                fail.Parameters.AddWithValue("$country", failure.Country);
                fail.Parameters.AddWithValue("$error", failure.Error);
                fail.Parameters.AddWithValue("$at", now);
                fail.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    /// <summary>Keys of every stored response (generated text).</summary>
    public HashSet<string> ResponseKeys() => KeysOf("responses");

    /// <summary>Keys of every stored judgement.</summary>
    public HashSet<string> JudgementKeys() => KeysOf("judgements");

    /// <summary>Stores the samples of one prompt in one committed transaction; a key already stored is kept.</summary>
    public void AddResponses(IReadOnlyList<StoredResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var now = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        using var transaction = _connection.BeginTransaction();
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT OR IGNORE INTO responses (key, model_id, prompt_id, language, template_id, topic, sample, prompt, settings, text, tokens, finish, created_at)
            VALUES ($key, $model, $prompt_id, $language, $template, $topic, $sample, $prompt, $settings, $text, $tokens, $finish, $created);
            """;
        foreach (var r in responses)
        {
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$key", r.Key);
            insert.Parameters.AddWithValue("$model", r.ModelId);
            insert.Parameters.AddWithValue("$prompt_id", r.PromptId);
            insert.Parameters.AddWithValue("$language", r.Language);
            insert.Parameters.AddWithValue("$template", r.TemplateId);
            insert.Parameters.AddWithValue("$topic", r.Topic);
            insert.Parameters.AddWithValue("$sample", r.Sample);
            insert.Parameters.AddWithValue("$prompt", r.Prompt);
            insert.Parameters.AddWithValue("$settings", r.Settings);
            insert.Parameters.AddWithValue("$text", r.Text);
            insert.Parameters.AddWithValue("$tokens", r.Tokens);
            insert.Parameters.AddWithValue("$finish", r.FinishReason);
            insert.Parameters.AddWithValue("$created", now);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Stored responses of <paramref name="modelId"/> (every model when null), in key order.</summary>
    public IReadOnlyList<StoredResponse> Responses(string? modelId = null)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, model_id, prompt_id, language, template_id, topic, sample, prompt, settings, text, tokens, finish FROM responses"
            + (modelId is null ? "" : " WHERE model_id = $m") + " ORDER BY key";
        if (modelId is not null)
        {
            command.Parameters.AddWithValue("$m", modelId);
        }
        using var reader = Read(command);
        var list = new List<StoredResponse>();
        while (reader.Read())
        {
            list.Add(new StoredResponse(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetInt32(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt32(10), reader.GetString(11)));
        }
        return list;
    }

    /// <summary>Stores one judgement in its own transaction; a key already stored is kept.</summary>
    public void AddJudgement(StoredJudgement judgement)
    {
        ArgumentNullException.ThrowIfNull(judgement);
        using var insert = _connection.CreateCommand();
        insert.CommandText = """
            INSERT OR IGNORE INTO judgements (key, response_key, judge_id, judge_fingerprint, language, labels, reply, created_at)
            VALUES ($key, $response, $judge, $fingerprint, $language, $labels, $reply, $created);
            """;
        insert.Parameters.AddWithValue("$key", judgement.Key);
        insert.Parameters.AddWithValue("$response", judgement.ResponseKey);
        insert.Parameters.AddWithValue("$judge", judgement.JudgeId);
        insert.Parameters.AddWithValue("$fingerprint", judgement.JudgeFingerprint);
        insert.Parameters.AddWithValue("$language", (object?)judgement.Language ?? DBNull.Value);
        insert.Parameters.AddWithValue("$labels", (object?)judgement.Labels ?? DBNull.Value);
        insert.Parameters.AddWithValue("$reply", judgement.Reply);
        insert.Parameters.AddWithValue("$created", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        insert.ExecuteNonQuery();
    }

    /// <summary>Stored judgements made with the judge of fingerprint <paramref name="judgeFingerprint"/> (any prompt version).</summary>
    public IReadOnlyList<StoredJudgement> Judgements(string judgeFingerprint)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, response_key, judge_id, judge_fingerprint, language, labels, reply FROM judgements WHERE judge_fingerprint = $f";
        command.Parameters.AddWithValue("$f", judgeFingerprint);
        using var reader = Read(command);
        var list = new List<StoredJudgement>();
        while (reader.Read())
        {
            list.Add(new StoredJudgement(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6)));
        }
        return list;
    }

    private HashSet<string> KeysOf(string table)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT key FROM {table}";
        using var reader = Read(command);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }
        return keys;
    }

    /// <summary>Failures recorded and not since measured, by model, question and country.</summary>
    public IReadOnlyList<FailedItem> Failures()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, model_id, question, country, error, attempts FROM failures ORDER BY model_id, question, country";
        using var reader = Read(command);
        var list = new List<FailedItem>();
        while (reader.Read())
        {
            list.Add(new FailedItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        }
        return list;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    /// <summary>A file that holds tables but none of ours is someone else's database: refuse it rather than add tables to it.</summary>
    private static void CheckIsStoreOrEmpty(SqliteConnection connection, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }
        if (tables.Count == 0)
        {
            return;
        }
        if (!tables.Contains("meta"))
        {
            throw new InputException($"{path}: is an SQLite database but not a CultureProbe result store (it has tables {string.Join(", ", tables.Take(5))}); give another --cache file");
        }
        using var app = connection.CreateCommand();
        app.CommandText = "SELECT value FROM meta WHERE name = 'application'";
        var name = Convert.ToString(app.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (name is not null && name != Application)
        {
            throw new InputException($"{path}: is not a CultureProbe result store (it belongs to '{name}'); give another --cache file");
        }
    }

    private SqliteDataReader Read(SqliteCommand command)
    {
        try
        {
            return command.ExecuteReader();
        }
        catch (SqliteException e)
        {
            throw new InputException($"{Path}: the result store cannot be read ({e.Message}); delete it (the run measures everything again) or give another --cache file", e);
        }
    }

    private StoredItem ReadItem(SqliteDataReader reader)
    {
        var key = reader.GetString(0);
        if (!WireNames.TryParse<ScoringMethod>(reader.GetString(5), out var method))
        {
            throw new InputException($"{Path}: item {key}: unknown method '{reader.GetString(5)}'");
        }
        List<ScoredOption>? options;
        try
        {
            options = JsonSerializer.Deserialize<List<ScoredOption>>(reader.GetString(6), Json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{Path}: item {key}: its options are not valid JSON ({e.Message}); delete the store or this item's row", e);
        }
        return new StoredItem(key, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), method, options ?? [],
            reader.IsDBNull(7) ? null : reader.GetString(7));
    }

    private static void CheckNumbers(StoredItem item)
    {
        foreach (var option in item.Options)
        {
            if (option.LogProb is { } logProb && (double.IsNaN(logProb) || double.IsPositiveInfinity(logProb)))
            {
                throw new ArgumentException($"item {item.Key}: a log-probability is {logProb}; refusing to store it", nameof(item));
            }
            if (option.Share is { } share && !(share >= 0 && double.IsFinite(share)))
            {
                throw new ArgumentException($"item {item.Key}: a share is {share}; refusing to store it", nameof(item));
            }
        }
    }

    private static string SerializeOptions(IReadOnlyList<ScoredOption> options) =>
        // -Infinity (an impossible continuation) is not JSON; it is written as the most negative double.
        JsonSerializer.Serialize(options.Select(o => o.LogProb is { } lp && double.IsNegativeInfinity(lp) ? o with { LogProb = double.MinValue } : o), Json);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The content hash of a list of parts: SHA-256 over their length-prefixed concatenation, so that no two
    /// different lists encode the same way.
    /// </summary>
    public static string KeyOf(IEnumerable<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            builder.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
