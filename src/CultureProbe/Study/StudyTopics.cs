using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Study;

/// <summary>
/// One topic of the multilingual study: an EVS/WVS item, how its answers become pro or con, the two
/// positions a judge compares opinions with, and ways to name it in each language.
/// </summary>
/// <param name="Key">Lower-case IVS code, as the paper's released files write it (e.g. <c>f120</c>).</param>
/// <param name="Ivs">The joint EVS/WVS variable (e.g. <c>F120</c>).</param>
/// <param name="Name">Short English name of the item.</param>
/// <param name="ScaleMax">Highest valid answer code; answers are 1..ScaleMax (0 and negative codes are missing).</param>
/// <param name="Reversed">Whether the pro side is the other one (E035).</param>
/// <param name="InPaper">Whether the paper's released populations have the topic (five do not).</param>
/// <param name="Pro">The position that counts as pro, one English sentence.</param>
/// <param name="Con">The opposite position.</param>
/// <param name="Paraphrases">Names of the topic to fill a template's <c>{topic}</c>, by language.</param>
public sealed record StudyTopic(
    string Key,
    string Ivs,
    string Name,
    int ScaleMax,
    bool Reversed,
    bool InPaper,
    string Pro,
    string Con,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Paraphrases)
{
    /// <summary>
    /// Whether an answer code is on the pro side, by the paper's binarisation: a 3-point item is pro at code 1;
    /// a 10-point item is pro above 5; any other item is pro at or below max / 2 (integer division, so a
    /// middle option counts as con); a reversed item the other way round.
    /// </summary>
    /// <returns>Null for a code that is not an answer (0, negative, above the scale).</returns>
    public bool? IsPro(int code)
    {
        if (code < 1 || code > ScaleMax)
        {
            return null;
        }
        var pro = ScaleMax switch
        {
            3 => code == 1,
            10 => code > 5,
            _ => code <= ScaleMax / 2,
        };
        return Reversed ? !pro : pro;
    }
}

/// <summary>The topics of the multilingual study (built in: <c>Data/study/topics.yaml</c>).</summary>
public sealed class StudyTopicSet
{
    private const string EmbeddedResourceName = "CultureProbe.Data.study.topics.yaml";
    private static readonly Lazy<StudyTopicSet> Embedded = new(() => Parse(ReadEmbedded(EmbeddedResourceName), "study/topics.yaml (embedded)"));
    private readonly Dictionary<string, StudyTopic> _byKey;

    private StudyTopicSet(IReadOnlyList<StudyTopic> topics, string sha256)
    {
        Topics = topics;
        Sha256 = sha256;
        _byKey = topics.ToDictionary(t => t.Key, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The shipped topics: the paper's 37.</summary>
    public static StudyTopicSet Default => Embedded.Value;

    /// <summary>Topics in file order.</summary>
    public IReadOnlyList<StudyTopic> Topics { get; }

    /// <summary>SHA-256 of the file, for provenance.</summary>
    public string Sha256 { get; }

    /// <summary>The topic with this key (case-insensitive), or null.</summary>
    public StudyTopic? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>Reads and validates topics YAML; every problem is reported at once, naming the topic and field.</summary>
    public static StudyTopicSet Parse(string yaml, string source)
    {
        FileDto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<FileDto>(yaml) ?? new FileDto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid topics file: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        var errors = new List<string>();
        var topics = new List<StudyTopic>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (t, i) in (dto.Topics ?? []).Select((t, i) => (t, i)))
        {
            var where = $"topics[{i}]{(t.Key is null ? "" : $" ({t.Key})")}";
            if (string.IsNullOrWhiteSpace(t.Key) || !seen.Add(t.Key))
            {
                errors.Add($"{where}.key: expected a unique lower-case IVS code such as f120");
                continue;
            }
            if (string.IsNullOrWhiteSpace(t.Ivs))
            {
                errors.Add($"{where}.ivs: expected the joint file's variable name such as F120");
            }
            if (t.ScaleMax is null or < 2 or > 11)
            {
                errors.Add($"{where}.scaleMax: expected the highest answer code, 2 to 11, found '{t.ScaleMax}'");
            }
            if (string.IsNullOrWhiteSpace(t.Pro) || string.IsNullOrWhiteSpace(t.Con))
            {
                errors.Add($"{where}: expected both 'pro' and 'con' sentences");
            }
            var paraphrases = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var (language, list) in t.Paraphrases ?? [])
            {
                if (list is null || list.Count == 0 || list.Any(string.IsNullOrWhiteSpace))
                {
                    errors.Add($"{where}.paraphrases.{language}: expected non-empty phrases");
                    continue;
                }
                paraphrases[language] = list;
            }
            if (t.Paraphrases is null || t.Paraphrases.Count == 0)
            {
                errors.Add($"{where}.paraphrases: expected phrases for at least one language");
            }
            topics.Add(new StudyTopic(t.Key.ToLowerInvariant(), t.Ivs ?? "", t.Name ?? t.Key, t.ScaleMax ?? 0, t.Reversed ?? false, t.InPaper ?? true, t.Pro ?? "", t.Con ?? "", paraphrases));
        }
        if (topics.Count == 0)
        {
            errors.Add("topics: expected at least one topic");
        }
        if (errors.Count > 0)
        {
            throw new InputException($"{source}: the topics are invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):\n  - " + string.Join("\n  - ", errors));
        }
        return new StudyTopicSet(topics, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(yaml))));
    }

    internal static string ReadEmbedded(string name)
    {
        using var stream = typeof(StudyTopicSet).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed class FileDto
    {
        public int Version { get; set; }
        public List<TopicDto>? Topics { get; set; }
    }

    private sealed class TopicDto
    {
        public string? Key { get; set; }
        public string? Ivs { get; set; }
        public string? Name { get; set; }
        public int? ScaleMax { get; set; }
        public bool? Reversed { get; set; }
        public bool? InPaper { get; set; }
        public string? Pro { get; set; }
        public string? Con { get; set; }
        public Dictionary<string, List<string>>? Paraphrases { get; set; }
    }
}
