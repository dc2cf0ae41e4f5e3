using CultureProbe.Analysis;

namespace CultureProbe.Study;

/// <summary>
/// Self-consistency as the paper defines it (<c>plot_consistency.py</c>): within one model and
/// one prompt language, every ordered pair (i, j), i ≠ j, of responses to the same topic; Spearman
/// between the first and second members' pro scores over the pairs of all topics together;
/// divided by (1 − judge error). Pooling rewards spread between topics, so this is an
/// intra-class-type statistic, not a mean of per-topic correlations.
/// </summary>
public static class SelfConsistency
{
    /// <summary>The point value per (model, prompt language), sorted by model then language; bootstrap fields NaN.</summary>
    /// <param name="responses">Responses (all topics: no population join).</param>
    /// <param name="judgeError">Judge error rate; the value is divided by 1 − this.</param>
    public static IReadOnlyList<StudyConsistencyRow> Point(IReadOnlyList<StudyResponse> responses, double judgeError)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var rows = new List<StudyConsistencyRow>();
        foreach (var group in GroupRows(responses, Enumerable.Range(0, responses.Count)))
        {
            var (values, topics, topicCount) = Columns(responses, group.Rows);
            var (rho, pairs) = RankCorrelation.PairConsistency(values, topics);
            rows.Add(new StudyConsistencyRow(group.Model, group.Language, rho / (1 - judgeError), rho, pairs, group.Rows.Count, topicCount,
                double.NaN, double.NaN, double.NaN, 0));
        }
        return rows;
    }

    /// <summary>
    /// The paper's figure: <paramref name="rounds"/> times, redraw as many rows as <paramref name="pool"/>
    /// holds, with replacement, from all of it (all models together), and compute the statistic per
    /// (model, language) on the drawn rows (a row drawn twice pairs with its copy). Returns the
    /// corrected value of each round per group.
    /// </summary>
    internal static Dictionary<(string Model, string Language), List<double>> Bootstrap(IReadOnlyList<StudyResponse> pool, int rounds, Random random, double judgeError)
    {
        var result = new Dictionary<(string, string), List<double>>();
        var draw = new int[pool.Count];
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < draw.Length; i++)
            {
                draw[i] = random.Next(pool.Count);
            }
            foreach (var group in GroupRows(pool, draw))
            {
                var (values, topics, _) = Columns(pool, group.Rows);
                var rho = RankCorrelation.PairConsistency(values, topics).Rho;
                if (!result.TryGetValue((group.Model, group.Language), out var list))
                {
                    list = [];
                    result[(group.Model, group.Language)] = list;
                }
                if (!double.IsNaN(rho))
                {
                    list.Add(rho / (1 - judgeError));
                }
            }
        }
        return result;
    }

    /// <summary>Mean and 2.5/97.5 % percentiles (type 7) of a round list; NaN when empty.</summary>
    internal static (double Mean, double Low, double High) Summary(IReadOnlyList<double> values) =>
        values.Count == 0 ? (double.NaN, double.NaN, double.NaN) : (values.Average(), Quantiles.Linear(values, 0.025), Quantiles.Linear(values, 0.975));

    private static IEnumerable<(string Model, string Language, List<int> Rows)> GroupRows(IReadOnlyList<StudyResponse> responses, IEnumerable<int> rows)
    {
        var groups = new Dictionary<(string, string), List<int>>();
        foreach (var row in rows)
        {
            var key = (responses[row].Model, responses[row].PromptLanguage);
            if (!groups.TryGetValue(key, out var list))
            {
                list = [];
                groups[key] = list;
            }
            list.Add(row);
        }
        return groups.OrderBy(g => g.Key.Item1, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .Select(g => (g.Key.Item1, g.Key.Item2, g.Value));
    }

    private static (double[] Values, int[] Topics, int TopicCount) Columns(IReadOnlyList<StudyResponse> responses, List<int> rows)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new double[rows.Count];
        var topics = new int[rows.Count];
        for (var k = 0; k < rows.Count; k++)
        {
            var response = responses[rows[k]];
            values[k] = response.ProScore;
            if (!ids.TryGetValue(response.Topic, out var id))
            {
                id = ids.Count;
                ids[response.Topic] = id;
            }
            topics[k] = id;
        }
        return (values, topics, ids.Count);
    }
}
