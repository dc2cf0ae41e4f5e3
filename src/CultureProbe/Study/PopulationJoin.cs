namespace CultureProbe.Study;

/// <summary>
/// The responses inner-joined with every population of one kind on topic: one row per
/// (response, population that has a share for the response's topic), so a response appears once
/// per population (four times at language level in the paper, up to thirteen at country level).
/// A population without the topic drops the pair; a topic without any population drops the response.
/// </summary>
internal sealed class PopulationJoin
{
    private PopulationJoin(PopulationKind kind, double[] score, double[] share, int[] group, int[] consistencyGroup, int[] topic,
        IReadOnlyList<AlignmentKey> groups, IReadOnlyList<(string Model, string Language)> consistencyGroups)
    {
        Kind = kind;
        Score = score;
        Share = share;
        Group = group;
        ConsistencyGroup = consistencyGroup;
        Topic = topic;
        Groups = groups;
        ConsistencyGroups = consistencyGroups;
    }

    public PopulationKind Kind { get; }

    /// <summary>Per joined row: the response's pro score.</summary>
    public double[] Score { get; }

    /// <summary>Per joined row: the population's pro share for the topic.</summary>
    public double[] Share { get; }

    /// <summary>Per joined row: its alignment group (model, population, response language).</summary>
    public int[] Group { get; }

    /// <summary>Per joined row: its consistency group (model, prompt language).</summary>
    public int[] ConsistencyGroup { get; }

    /// <summary>Per joined row: topic id.</summary>
    public int[] Topic { get; }

    public IReadOnlyList<AlignmentKey> Groups { get; }

    public IReadOnlyList<(string Model, string Language)> ConsistencyGroups { get; }

    public int Count => Score.Length;

    public static PopulationJoin Build(IReadOnlyList<StudyResponse> responses, IReadOnlyList<PopulationShare> populations, PopulationKind kind)
    {
        var byTopic = new Dictionary<string, List<PopulationShare>>(StringComparer.Ordinal);
        foreach (var share in populations.Where(p => p.Kind == kind))
        {
            if (!byTopic.TryGetValue(share.Topic, out var list))
            {
                list = [];
                byTopic[share.Topic] = list;
            }
            list.Add(share);
        }
        var groupIds = new Dictionary<AlignmentKey, int>();
        var groups = new List<AlignmentKey>();
        var consistencyIds = new Dictionary<(string, string), int>();
        var consistencyGroups = new List<(string, string)>();
        var topicIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var score = new List<double>();
        var share2 = new List<double>();
        var group = new List<int>();
        var consistency = new List<int>();
        var topic = new List<int>();
        foreach (var response in responses)
        {
            if (!byTopic.TryGetValue(response.Topic, out var shares))
            {
                continue;
            }
            var cKey = (response.Model, response.PromptLanguage);
            if (!consistencyIds.TryGetValue(cKey, out var cId))
            {
                cId = consistencyGroups.Count;
                consistencyIds[cKey] = cId;
                consistencyGroups.Add(cKey);
            }
            if (!topicIds.TryGetValue(response.Topic, out var tId))
            {
                tId = topicIds.Count;
                topicIds[response.Topic] = tId;
            }
            foreach (var population in shares)
            {
                var key = new AlignmentKey(response.Model, population.Population, kind, response.ResponseLanguage);
                if (!groupIds.TryGetValue(key, out var gId))
                {
                    gId = groups.Count;
                    groupIds[key] = gId;
                    groups.Add(key);
                }
                score.Add(response.ProScore);
                share2.Add(population.ProShare);
                group.Add(gId);
                consistency.Add(cId);
                topic.Add(tId);
            }
        }
        return new PopulationJoin(kind, [.. score], [.. share2], [.. group], [.. consistency], [.. topic], groups, consistencyGroups);
    }

    /// <summary>Spearman per alignment group over the rows listed in <paramref name="rows"/> (row indices, repeats allowed); n = rows of the group.</summary>
    public (double Rho, int N)[] AlignmentOver(ReadOnlySpan<int> rows)
    {
        var buckets = Bucket(rows, Group, Groups.Count);
        var result = new (double, int)[Groups.Count];
        for (var g = 0; g < Groups.Count; g++)
        {
            var members = buckets[g];
            var x = new double[members.Count];
            var y = new double[members.Count];
            for (var k = 0; k < members.Count; k++)
            {
                x[k] = Score[members[k]];
                y[k] = Share[members[k]];
            }
            result[g] = (members.Count == 0 ? double.NaN : RankCorrelation.Spearman(x, y), members.Count);
        }
        return result;
    }

    /// <summary>
    /// The RQ1 consistency regressor (uncorrected ρ) per consistency group over the listed rows:
    /// all ordered pairs of different list positions with the same topic, so a response pairs
    /// with its copies for the other populations and with its own bootstrap duplicates.
    /// </summary>
    public double[] ConsistencyOver(ReadOnlySpan<int> rows)
    {
        var buckets = Bucket(rows, ConsistencyGroup, ConsistencyGroups.Count);
        var result = new double[ConsistencyGroups.Count];
        for (var c = 0; c < ConsistencyGroups.Count; c++)
        {
            var members = buckets[c];
            var values = new double[members.Count];
            var topics = new int[members.Count];
            for (var k = 0; k < members.Count; k++)
            {
                values[k] = Score[members[k]];
                topics[k] = Topic[members[k]];
            }
            result[c] = RankCorrelation.PairConsistency(values, topics).Rho;
        }
        return result;
    }

    private static List<int>[] Bucket(ReadOnlySpan<int> rows, int[] groupOf, int groupCount)
    {
        var buckets = new List<int>[groupCount];
        for (var g = 0; g < groupCount; g++)
        {
            buckets[g] = [];
        }
        foreach (var row in rows)
        {
            buckets[groupOf[row]].Add(row);
        }
        return buckets;
    }
}

/// <summary>An alignment group: one model's responses in one language compared with one population.</summary>
internal readonly record struct AlignmentKey(string Model, string Population, PopulationKind Kind, string ResponseLanguage);
