using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CultureProbe.Models;

namespace CultureProbe.Study;

/// <summary>A judge's label of one opinion.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OpinionLabel>))]
public enum OpinionLabel
{
    /// <summary>Closer to the topic's pro position.</summary>
    [JsonStringEnumMemberName("pro")]
    Pro,

    /// <summary>Closer to the topic's con position.</summary>
    [JsonStringEnumMemberName("con")]
    Con,

    /// <summary>Takes no side.</summary>
    [JsonStringEnumMemberName("neither")]
    Neither,
}

/// <summary>What a judge said of one response.</summary>
/// <param name="Language">The language the judge says the response is written in (ISO 639-1, or <c>other</c>); null when it said none.</param>
/// <param name="Labels">One label per opinion, in order.</param>
public sealed record JudgeVerdict(string? Language, IReadOnlyList<OpinionLabel> Labels)
{
    /// <summary>Opinions on the pro side.</summary>
    public int Pro => Labels.Count(l => l == OpinionLabel.Pro);

    /// <summary>Opinions on the con side.</summary>
    public int Con => Labels.Count(l => l == OpinionLabel.Con);

    /// <summary>pro / (pro + con), the paper's score of a response; null when no opinion took a side (the response is then left out).</summary>
    public double? ProScore => Pro + Con == 0 ? null : (double)Pro / (Pro + Con);
}

/// <summary>
/// The judge of the multilingual study: a model reads one response and labels each opinion in it pro, con or
/// neither against the topic's two positions, and says which language the response is in. The prompt is
/// CultureProbe's own; its version is part of every judgement's key, so a changed prompt judges again.
/// </summary>
public static partial class StudyJudge
{
    /// <summary>Changes whenever <see cref="Prompt"/> changes.</summary>
    public const string PromptVersion = "cultureprobe-judge-v1";

    /// <summary>A judge answers deterministically: greedy, short.</summary>
    public static GenerationSettings Settings { get; } = new(Temperature: 0, TopP: 1, Seed: 1, MaxTokens: 160);

    /// <summary>
    /// The reply's form as a GBNF grammar (at most 30 labels), for a local judge too small to keep to the form by itself:
    /// with it every reply parses. Only the llama backend enforces a grammar.
    /// </summary>
    public const string Grammar = """
        root ::= "LANGUAGE: " language "\nLABELS: " label (", " label){0,29}
        language ::= "da" | "en" | "nl" | "pt" | "other"
        label ::= "PRO" | "CON" | "NEITHER"
        """;

    /// <summary>The judge's sampling settings: <see cref="Settings"/>, with <see cref="Grammar"/> when <paramref name="constrained"/>.</summary>
    public static GenerationSettings SettingsFor(bool constrained) => constrained ? Settings with { Grammar = Grammar } : Settings;

    /// <summary>The classification prompt for <paramref name="response"/> on <paramref name="topic"/>.</summary>
    public static string Prompt(StudyTopic topic, string response)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(response);
        return $"""
            You sort opinions. The text at the end reports what several people think about one topic. Here are two opposite positions on that topic:
            PRO: {topic.Pro}
            CON: {topic.Con}
            Go through the opinions in the text in order. For each one, decide whether it is closer to PRO or to CON. Use NEITHER only for an opinion that takes no side at all. If the text gives a count (for example "three of them agreed"), give one label per person counted.
            Also say which language the text is written in, as a two-letter code: da, en, nl or pt, or other.
            Answer in exactly this form and nothing else:
            LANGUAGE: <code>
            LABELS: <label>, <label>, ...
            Each label is PRO, CON or NEITHER.

            TEXT:
            <<<
            {response.Trim()}
            >>>
            """;
    }

    /// <summary>Reads a judge's reply; null when it names no label at all (the reply is then stored as unparseable).</summary>
    public static JudgeVerdict? Parse(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var language = LanguageLine().Match(reply) is { Success: true } l ? l.Groups["code"].Value.ToLowerInvariant() : null;
        var labelsLine = LabelsLine().Match(reply);
        var source = labelsLine.Success ? labelsLine.Groups["labels"].Value : reply;
        var labels = new List<OpinionLabel>();
        foreach (Match match in LabelWord().Matches(source))
        {
            labels.Add(match.Value.ToUpperInvariant() switch
            {
                "PRO" => OpinionLabel.Pro,
                "CON" => OpinionLabel.Con,
                _ => OpinionLabel.Neither,
            });
        }
        return labels.Count == 0 ? null : new JudgeVerdict(language, labels);
    }

    [GeneratedRegex(@"LANGUAGE\s*[:=]\s*\**\s*(?<code>[A-Za-z]{2,5})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LanguageLine();

    [GeneratedRegex(@"LABELS\s*[:=]\s*(?<labels>[^\n]*(?:\n[^\n:]*)*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LabelsLine();

    [GeneratedRegex(@"\b(?:PRO|CON|NEITHER|NULL|NEUTRAL|NONE)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LabelWord();
}

/// <summary>How a judge did on a labelled sample: agreement, Cohen's κ and the confusion matrix.</summary>
/// <param name="Items">Labelled items judged.</param>
/// <param name="Unparseable">Items the judge gave no label for (counted as disagreements).</param>
/// <param name="Agreement">Share of items whose first label equals the gold label.</param>
/// <param name="Kappa">Cohen's κ over the three labels: (p_o − p_e) / (1 − p_e).</param>
/// <param name="Confusion">Counts by [gold, judge] in the order pro, con, neither, with a fourth judge column for no label.</param>
public sealed record JudgeCheck(int Items, int Unparseable, double Agreement, double Kappa, IReadOnlyList<IReadOnlyList<int>> Confusion)
{
    /// <summary>The judge's error rate, 1 − agreement: what divides self-consistency as (1 − error).</summary>
    public double ErrorRate => 1 - Agreement;

    /// <summary>Scores the judge's labels against gold labels (null judge label: the judge gave none).</summary>
    /// <exception cref="ArgumentException">No items, or the lists differ in length.</exception>
    public static JudgeCheck Score(IReadOnlyList<OpinionLabel> gold, IReadOnlyList<OpinionLabel?> judged)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(judged);
        if (gold.Count == 0 || gold.Count != judged.Count)
        {
            throw new ArgumentException($"a judge check needs as many judged labels as gold ones (at least one): {gold.Count} gold, {judged.Count} judged", nameof(judged));
        }
        var confusion = new int[3][];
        for (var g = 0; g < 3; g++)
        {
            confusion[g] = new int[4];
        }
        for (var i = 0; i < gold.Count; i++)
        {
            confusion[(int)gold[i]][judged[i] is { } label ? (int)label : 3]++;
        }
        double n = gold.Count;
        var observed = Enumerable.Range(0, 3).Sum(k => confusion[k][k]) / n;
        // Chance agreement from the two marginals; an unlabelled item agrees with nothing.
        var expected = Enumerable.Range(0, 3).Sum(k => confusion[k].Sum() / n * (Enumerable.Range(0, 3).Sum(g => confusion[g][k]) / n));
        var kappa = expected >= 1 ? double.NaN : (observed - expected) / (1 - expected);
        return new JudgeCheck(gold.Count, confusion.Sum(row => row[3]), observed, kappa, confusion.Select(row => (IReadOnlyList<int>)row).ToArray());
    }
}

/// <summary>One opinion labelled by a person, to measure the judge against.</summary>
/// <param name="Topic">Topic key.</param>
/// <param name="Text">The opinion (one statement).</param>
/// <param name="Label">The person's label.</param>
public sealed record LabelledOpinion(string Topic, string Text, OpinionLabel Label)
{
    /// <summary>
    /// Reads a labelled sample: a CSV with the columns <c>topic,text,label</c> (label <c>pro</c>, <c>con</c> or
    /// <c>neither</c>; <c>null</c> and <c>neutral</c> read as neither), topics among <paramref name="topics"/>.
    /// </summary>
    /// <exception cref="InputException">The file is missing, lacks a column, or a row has an unknown topic or label (file:line:column named).</exception>
    public static IReadOnlyList<LabelledOpinion> Read(string path, StudyTopicSet topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: labelled sample not found (expected a CSV with the columns topic,text,label)");
        }
        var name = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        using var reader = new IO.DelimitedRecordReader(stream, name);
        reader.DetectDelimiter();
        if (!reader.ReadRecord())
        {
            throw new InputException($"{name}:1: the file is empty (expected the columns topic,text,label)");
        }
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            index.TryAdd(reader.FieldText(i).Trim(), i);
        }
        foreach (var column in new[] { "topic", "text", "label" })
        {
            if (!index.ContainsKey(column))
            {
                throw new InputException($"{name}:1: missing required column '{column}' (expected topic,text,label)");
            }
        }
        var items = new List<LabelledOpinion>();
        while (reader.ReadRecord())
        {
            var topic = reader.FieldText(index["topic"]).Trim();
            if (topics.Find(topic) is null)
            {
                throw InputException.At(name, reader.LineNumber, index["topic"] + 1, "topic", $"expected one of the study's topics (such as f120), found '{topic}'");
            }
            var text = reader.FieldText(index["text"]).Trim();
            if (text.Length == 0)
            {
                throw InputException.At(name, reader.LineNumber, index["text"] + 1, "text", "expected the opinion's text, found nothing");
            }
            var labelText = reader.FieldText(index["label"]).Trim().ToLowerInvariant();
            OpinionLabel label = labelText switch
            {
                "pro" => OpinionLabel.Pro,
                "con" => OpinionLabel.Con,
                "neither" or "null" or "neutral" => OpinionLabel.Neither,
                _ => throw InputException.At(name, reader.LineNumber, index["label"] + 1, "label", $"expected pro, con or neither, found '{labelText}'"),
            };
            items.Add(new LabelledOpinion(topic.ToLowerInvariant(), text, label));
        }
        return items.Count > 0 ? items : throw new InputException($"{name}: no labelled opinion (expected rows of topic,text,label)");
    }
}
