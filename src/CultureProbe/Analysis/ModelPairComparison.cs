namespace CultureProbe.Analysis;

/// <summary>Two models compared over the same countries, each country's two correlations paired.</summary>
/// <param name="Countries">The countries that entered (both values defined), in ordinal order.</param>
/// <param name="LeftOut">Countries with a value for only one model, or an undefined (NaN) value for either, in ordinal order.</param>
/// <param name="MeanFirst">Mean of the first model's values over <see cref="Countries"/>.</param>
/// <param name="MeanSecond">Mean of the second model's values over <see cref="Countries"/>.</param>
/// <param name="MeanDifference">mean over countries of (first − second); NaN when no country entered.</param>
/// <param name="Interval">Paired percentile bootstrap interval of <see cref="MeanDifference"/> (countries resampled).</param>
/// <param name="Test">Two-sided sign-flip permutation test of <see cref="MeanDifference"/>.</param>
/// <param name="CohensDz">Cohen's d_z = mean(d) / sd(d), sd with n − 1; NaN below 2 countries or when every d is equal.</param>
public sealed record PairedCountryComparison(
    IReadOnlyList<string> Countries,
    IReadOnlyList<string> LeftOut,
    double MeanFirst,
    double MeanSecond,
    double MeanDifference,
    BootstrapInterval Interval,
    PermutationTestResult Test,
    double CohensDz)
{
    /// <summary>The number of countries that entered.</summary>
    public int N => Countries.Count;
}

/// <summary>One country's correlations of both models, on the questions both were measured on.</summary>
/// <param name="Country">Country code.</param>
/// <param name="Questions">Questions with a mean score of both models.</param>
/// <param name="First">Pearson's r of the first model's and the population's mean scores.</param>
/// <param name="Second">Pearson's r of the second model's and the population's mean scores.</param>
public sealed record CountryCorrelationPair(string Country, int Questions, double First, double Second)
{
    /// <summary>First − second.</summary>
    public double Difference => First - Second;
}

/// <summary>Two models compared by the mean over countries of their difference in r, with questions resampled.</summary>
/// <param name="Countries">Countries that entered (both correlations defined), in ordinal order, with their correlations.</param>
/// <param name="LeftOut">Countries where either correlation is undefined on the full data, in ordinal order.</param>
/// <param name="Questions">Distinct questions over the countries that entered: the units resampled.</param>
/// <param name="MeanDifference">mean over countries of (r_first − r_second); NaN when no country entered.</param>
/// <param name="Interval">
/// Percentile bootstrap interval of <see cref="MeanDifference"/> over resampled question sets;
/// <see cref="BootstrapInterval.Used"/> counts the resamples in which every country's two
/// correlations were defined.
/// </param>
public sealed record QuestionResampledComparison(
    IReadOnlyList<CountryCorrelationPair> Countries,
    IReadOnlyList<string> LeftOut,
    int Questions,
    double MeanDifference,
    BootstrapInterval Interval);

/// <summary>
/// Is one model closer to the populations than another? Two paired comparisons of per-country
/// Pearson correlations (model vs population mean scores across a country's questions): one
/// treating the countries as the sample (<see cref="OverCountries"/>), one treating the questions
/// as the sample (<see cref="OverQuestions"/>).
/// </summary>
public static class ModelPairComparison
{
    /// <summary>
    /// Paired comparison over countries: the mean of d_c = first_c − second_c, a paired percentile
    /// bootstrap interval (countries drawn with replacement, the same draw for both models), a
    /// two-sided sign-flip permutation p-value and Cohen's d_z.
    /// </summary>
    /// <remarks>
    /// Countries are aligned by key and taken in ordinal order, so results depend only on the data
    /// and the seed. Bootstrap draws: <c>new Random(options.Seed)</c>, for each resample, for each
    /// country position, <c>Next(n)</c>; bounds are <see cref="Quantiles.Linear"/> percentiles.
    /// Each country's r is taken as fixed: the interval covers the spread over countries, not the
    /// sampling noise within a country (see <see cref="OverQuestions"/> for that).
    /// </remarks>
    /// <param name="first">Per-country value (e.g. Pearson r) of the first model, keyed by country.</param>
    /// <param name="second">Per-country value of the second model, keyed by country.</param>
    /// <param name="options">Resamples, level and seed; <see cref="ComparisonOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">A value is infinite.</exception>
    public static PairedCountryComparison OverCountries(
        IReadOnlyDictionary<string, double> first,
        IReadOnlyDictionary<string, double> second,
        ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        options ??= ComparisonOptions.Default;
        options.Validate();
        var countries = new List<string>();
        var leftOut = new List<string>();
        var a = new List<double>();
        var b = new List<double>();
        foreach (var country in first.Keys.Union(second.Keys).Order(StringComparer.Ordinal))
        {
            var hasFirst = first.TryGetValue(country, out var x);
            var hasSecond = second.TryGetValue(country, out var y);
            RefuseInfinity(x, country, nameof(first));
            RefuseInfinity(y, country, nameof(second));
            if (hasFirst && hasSecond && !double.IsNaN(x) && !double.IsNaN(y))
            {
                countries.Add(country);
                a.Add(x);
                b.Add(y);
            }
            else
            {
                leftOut.Add(country);
            }
        }
        var n = countries.Count;
        if (n == 0)
        {
            return new PairedCountryComparison(countries, leftOut, double.NaN, double.NaN, double.NaN,
                BootstrapInterval.Undefined(options.Level, options.BootstrapResamples), PermutationTestResult.Undefined, double.NaN);
        }
        var d = new double[n];
        for (var i = 0; i < n; i++)
        {
            d[i] = a[i] - b[i];
        }
        var random = new Random(options.Seed);
        var means = new List<double>(options.BootstrapResamples);
        var drawn = new double[n];
        for (var r = 0; r < options.BootstrapResamples; r++)
        {
            for (var i = 0; i < n; i++)
            {
                drawn[i] = d[random.Next(n)];
            }
            means.Add(PermutationTest.Mean(drawn));
        }
        return new PairedCountryComparison(
            countries,
            leftOut,
            PermutationTest.Mean(a),
            PermutationTest.Mean(b),
            PermutationTest.Mean(d),
            BootstrapCorrelation.Interval(means, options.Level, options.BootstrapResamples),
            PermutationTest.PairedSignFlip(d, options.PermutationSeed, options.PermutationResamples),
            EffectSize.CohensDz(d));
    }

    /// <summary>
    /// Paired comparison with questions as the resampled unit: for each resample, one set of
    /// questions is drawn with replacement, every country's r of both models is recomputed on the
    /// drawn questions it has, and the statistic is the mean over countries of r_first − r_second.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Within a country only questions with a mean score of both models count, so a model that lost
    /// items is compared on the same questions as the other; a country enters when both its
    /// correlations are defined on those questions (≥ 3, neither side constant). Questions are the
    /// union over the countries that entered, in ordinal order; a drawn question a country lacks
    /// is simply absent from that country's resample, and a question drawn twice counts twice.
    /// </para>
    /// <para>
    /// Draws: <c>new Random(options.Seed)</c>, for each resample, for each of the Q positions,
    /// <c>Next(Q)</c>. A resample in which any country's correlation is undefined is skipped and
    /// not redrawn, so the statistic always averages the same countries;
    /// <see cref="BootstrapInterval.Used"/> counts the rest. No permutation test is offered here:
    /// the interval is the question-level counterpart of <see cref="OverCountries"/>' interval.
    /// </para>
    /// </remarks>
    /// <param name="pairs">
    /// Mean scores per (model, country, question), as <see cref="AlignmentTable"/> takes them; pairs
    /// of other models are ignored. The two models' human means of a (country, question) must agree.
    /// </param>
    /// <param name="firstModel">Name of the first model.</param>
    /// <param name="secondModel">Name of the second model.</param>
    /// <param name="options">Bootstrap resamples, level and seed (the permutation budget is unused); defaults when null.</param>
    /// <exception cref="ArgumentException">
    /// The models are the same, a (model, country, question) occurs twice, a mean is not finite, or
    /// the two models' human means of a (country, question) differ.
    /// </exception>
    public static QuestionResampledComparison OverQuestions(
        IEnumerable<MeanScorePair> pairs,
        string firstModel,
        string secondModel,
        ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(firstModel);
        ArgumentNullException.ThrowIfNull(secondModel);
        if (string.Equals(firstModel, secondModel, StringComparison.Ordinal))
        {
            throw new ArgumentException($"compare two different models, got {firstModel} twice", nameof(secondModel));
        }
        options ??= ComparisonOptions.Default;
        options.Validate();
        var cells = CollectCells(pairs, firstModel, secondModel);

        var entered = new List<CountryCells>();
        var summaries = new List<CountryCorrelationPair>();
        var leftOut = new List<string>();
        foreach (var (country, byQuestion) in cells)
        {
            var questions = byQuestion.Where(kv => kv.Value.HasBoth).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();
            var first = questions.Select(q => byQuestion[q].First).ToArray();
            var second = questions.Select(q => byQuestion[q].Second).ToArray();
            var human = questions.Select(q => byQuestion[q].Human).ToArray();
            var rFirst = Correlation.PearsonCore(first, human);
            var rSecond = Correlation.PearsonCore(second, human);
            if (double.IsNaN(rFirst) || double.IsNaN(rSecond))
            {
                leftOut.Add(country);
                continue;
            }
            entered.Add(new CountryCells(questions, first, second, human));
            summaries.Add(new CountryCorrelationPair(country, questions.Length, rFirst, rSecond));
        }
        var level = options.Level;
        var resamples = options.BootstrapResamples;
        if (entered.Count == 0)
        {
            return new QuestionResampledComparison(summaries, leftOut, 0, double.NaN, BootstrapInterval.Undefined(level, resamples));
        }
        var universe = entered.SelectMany(c => c.Questions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < universe.Length; i++)
        {
            position[universe[i]] = i;
        }
        // For each country, the row of each universe question in its arrays, or −1 where it has none.
        var rowOf = entered.Select(c =>
        {
            var rows = Enumerable.Repeat(-1, universe.Length).ToArray();
            for (var row = 0; row < c.Questions.Length; row++)
            {
                rows[position[c.Questions[row]]] = row;
            }
            return rows;
        }).ToArray();

        var q = universe.Length;
        var random = new Random(options.Seed);
        var draw = new int[q];
        var bufferFirst = new double[q];
        var bufferSecond = new double[q];
        var bufferHuman = new double[q];
        var differences = new double[entered.Count];
        var statistics = new List<double>(resamples);
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < q; i++)
            {
                draw[i] = random.Next(q);
            }
            var defined = true;
            for (var c = 0; c < entered.Count && defined; c++)
            {
                var country = entered[c];
                var rows = rowOf[c];
                var count = 0;
                foreach (var question in draw)
                {
                    var row = rows[question];
                    if (row >= 0)
                    {
                        bufferFirst[count] = country.First[row];
                        bufferSecond[count] = country.Second[row];
                        bufferHuman[count] = country.Human[row];
                        count++;
                    }
                }
                var human = new ArraySegment<double>(bufferHuman, 0, count);
                var rFirst = Correlation.PearsonCore(new ArraySegment<double>(bufferFirst, 0, count), human);
                var rSecond = Correlation.PearsonCore(new ArraySegment<double>(bufferSecond, 0, count), human);
                defined = !double.IsNaN(rFirst) && !double.IsNaN(rSecond);
                differences[c] = rFirst - rSecond;
            }
            if (defined)
            {
                statistics.Add(PermutationTest.Mean(differences));
            }
        }
        var pointDifferences = summaries.Select(s => s.Difference).ToArray();
        return new QuestionResampledComparison(
            summaries,
            leftOut,
            q,
            PermutationTest.Mean(pointDifferences),
            BootstrapCorrelation.Interval(statistics, level, resamples));
    }

    private static SortedDictionary<string, Dictionary<string, Cell>> CollectCells(IEnumerable<MeanScorePair> pairs, string firstModel, string secondModel)
    {
        var cells = new SortedDictionary<string, Dictionary<string, Cell>>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var isFirst = string.Equals(pair.Model, firstModel, StringComparison.Ordinal);
            if (!isFirst && !string.Equals(pair.Model, secondModel, StringComparison.Ordinal))
            {
                continue;
            }
            if (!double.IsFinite(pair.ModelMean) || !double.IsFinite(pair.HumanMean))
            {
                throw new ArgumentException($"{pair.Model} / {pair.Country} / {pair.Question}: mean scores must be finite, got model {pair.ModelMean}, human {pair.HumanMean}", nameof(pairs));
            }
            if (!cells.TryGetValue(pair.Country, out var byQuestion))
            {
                byQuestion = new Dictionary<string, Cell>(StringComparer.Ordinal);
                cells[pair.Country] = byQuestion;
            }
            var cell = byQuestion.TryGetValue(pair.Question, out var existing) ? existing : new Cell(double.NaN, double.NaN, pair.HumanMean);
            var previous = isFirst ? cell.First : cell.Second;
            if (!double.IsNaN(previous))
            {
                throw new ArgumentException($"{pair.Model} / {pair.Country} / {pair.Question} occurs more than once", nameof(pairs));
            }
            // Both models' human means come from the same population's shares; a gap beyond
            // summation noise means they were compared with different populations.
            if (Math.Abs(cell.Human - pair.HumanMean) > 1e-12 * Math.Max(1.0, Math.Abs(pair.HumanMean)))
            {
                throw new ArgumentException($"{pair.Country} / {pair.Question}: the human mean is {cell.Human} for one model and {pair.HumanMean} for the other", nameof(pairs));
            }
            byQuestion[pair.Question] = isFirst ? cell with { First = pair.ModelMean } : cell with { Second = pair.ModelMean };
        }
        return cells;
    }

    private static void RefuseInfinity(double value, string country, string name)
    {
        if (double.IsInfinity(value))
        {
            throw new ArgumentException($"{country}: the value is {value}; a correlation is a number in [−1, 1] or NaN", name);
        }
    }

    private readonly record struct Cell(double First, double Second, double Human)
    {
        public bool HasBoth => !double.IsNaN(First) && !double.IsNaN(Second);
    }

    private sealed record CountryCells(string[] Questions, double[] First, double[] Second, double[] Human);
}
