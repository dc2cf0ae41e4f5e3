using CultureProbe.Analysis;

namespace CultureProbe.Study;

/// <summary>
/// The statistics of "Multilingual != Multicultural" (Rystrøm, Kirk &amp; Hale, 2025), computed
/// as the authors' code computed them: alignment (Spearman of response pro scores with population
/// pro shares) and its bootstrap, self-consistency, the US-centric bias regression (RQ2) and the
/// capability mixed models (RQ1). One entry point, <see cref="Run"/>.
/// </summary>
/// <remarks>
/// The bootstrap follows the authors exactly: for each population kind, one round draws as many
/// rows as the response × population table of that kind holds, with replacement, from the whole
/// table (all models, languages and populations together, not stratified), and computes every
/// group's Spearman and every (model, language)'s consistency on the drawn rows. Point estimates
/// are always the full-data values, never bootstrap means.
/// </remarks>
public static class StudyAnalysis
{
    /// <summary>The population code of the global population.</summary>
    public const string GlobalPopulation = "global";

    private static readonly PopulationKind[] Kinds = [PopulationKind.Global, PopulationKind.Language, PopulationKind.Country];

    /// <summary>Computes every statistic the inputs allow.</summary>
    /// <param name="inputs">Responses, populations and the optional capability and human-reference data.</param>
    /// <param name="options">Settings; null for the authors' defaults.</param>
    /// <exception cref="SettingException">A setting is out of range.</exception>
    /// <exception cref="InputException">No response is left to analyse, or capability names are ambiguous.</exception>
    public static StudyReport Run(StudyInputs inputs, StudyAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new StudyAnalysisOptions();
        options.Validate();
        var warnings = new List<string>(inputs.Warnings);
        var responses = Select(inputs.Responses, options, warnings);

        var alignment = new List<StudyAlignmentRow>();
        var rounds = new Dictionary<PopulationKind, List<StudyBootstrapRow>>();
        foreach (var kind in Kinds)
        {
            if (!inputs.Populations.Any(p => p.Kind == kind))
            {
                continue;
            }
            var join = PopulationJoin.Build(responses, inputs.Populations, kind);
            WarnUnjoined(responses, inputs.Populations, kind, warnings);
            if (join.Count == 0)
            {
                warnings.Add($"{kind.WireName()} populations: no response topic has a share; no {kind.WireName()} alignment");
                continue;
            }
            var (rows, kindRounds) = Bootstrap(join, options, new Random(options.StreamSeed((int)kind)));
            alignment.AddRange(rows);
            rounds[kind] = kindRounds;
        }

        var consistency = Consistency(responses, options);
        var (usBias, usBiasPoint) = UsBias(responses, inputs.Populations, alignment, rounds.GetValueOrDefault(PopulationKind.Country), options, warnings);
        var modelIds = responses.Select(r => r.Model).Distinct(StringComparer.Ordinal).ToArray();
        var capability = inputs.Benchmarks.Count == 0 ? [] : CapabilityTable.Aggregate(inputs.Benchmarks, modelIds, options.CapabilityModelNames, warnings);
        var regressions = Regressions(responses, capability, rounds.GetValueOrDefault(PopulationKind.Language), options, warnings);
        var computedHuman = inputs.Respondents.Count == 0 ? [] : HumanConsistency.Compute(inputs.Respondents, options.StreamSeed(4), options.HumanDraws, options.HumanSampleSize);
        var keptRounds = options.KeepRounds ? Kinds.Where(rounds.ContainsKey).SelectMany(k => rounds[k]).ToArray() : [];
        return new StudyReport(alignment, consistency, usBias, usBiasPoint, regressions, capability, inputs.HumanReferences, computedHuman, keptRounds, options, warnings);
    }

    /// <summary>
    /// Keeps the rows the authors analyse: the selected templates, and responses written in their
    /// prompt's language (the authors drop the others before any statistic, <c>analyze_batch.py</c>).
    /// </summary>
    private static List<StudyResponse> Select(IReadOnlyList<StudyResponse> all, StudyAnalysisOptions options, List<string> warnings)
    {
        var rows = all.AsEnumerable();
        if (options.Templates is { } templates)
        {
            rows = rows.Where(r => templates.Contains(r.Template, StringComparer.OrdinalIgnoreCase));
        }
        else
        {
            var types = all.Select(r => r.Template).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToArray();
            if (types.Length > 1)
            {
                warnings.Add($"responses of {types.Length} template types ({string.Join(", ", types)}) are analysed together; the authors analyse survey_hypothetical only (set the templates option to choose)");
            }
        }
        var selected = rows.ToList();
        var mismatched = selected.RemoveAll(r => !string.Equals(r.PromptLanguage, r.ResponseLanguage, StringComparison.OrdinalIgnoreCase));
        if (mismatched > 0)
        {
            warnings.Add($"{mismatched} response(s) written in another language than their prompt's dropped, as the authors drop them");
        }
        if (selected.Count == 0)
        {
            throw new InputException($"no responses to analyse: {all.Count} read, none left after selecting templates and dropping responses in another language than their prompt's");
        }
        return selected;
    }

    private static void WarnUnjoined(IReadOnlyList<StudyResponse> responses, IReadOnlyList<PopulationShare> populations, PopulationKind kind, List<string> warnings)
    {
        var topics = populations.Where(p => p.Kind == kind).Select(p => p.Topic).ToHashSet(StringComparer.Ordinal);
        var missing = responses.Where(r => !topics.Contains(r.Topic)).ToArray();
        if (missing.Length > 0)
        {
            var keys = missing.Select(r => r.Topic).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            warnings.Add($"{kind.WireName()} populations: {missing.Length} response(s) on {keys.Length} topic(s) without a share ({string.Join(", ", keys)}) drop out of {kind.WireName()} alignment (inner join, as the authors')");
        }
    }

    /// <summary>Point alignment per group and the bootstrap rounds of one population kind.</summary>
    private static (List<StudyAlignmentRow> Rows, List<StudyBootstrapRow> Rounds) Bootstrap(PopulationJoin join, StudyAnalysisOptions options, Random random)
    {
        var all = Enumerable.Range(0, join.Count).ToArray();
        var point = join.AlignmentOver(all);
        var consistencyIndex = new Dictionary<(string, string), int>();
        for (var c = 0; c < join.ConsistencyGroups.Count; c++)
        {
            consistencyIndex[join.ConsistencyGroups[c]] = c;
        }
        var perGroup = join.Groups.Select(_ => new List<double>()).ToArray();
        var rounds = new List<StudyBootstrapRow>();
        var draw = new int[join.Count];
        for (var round = 0; round < options.Rounds; round++)
        {
            for (var i = 0; i < draw.Length; i++)
            {
                draw[i] = random.Next(join.Count);
            }
            var alignment = join.AlignmentOver(draw);
            var consistency = join.ConsistencyOver(draw);
            for (var g = 0; g < join.Groups.Count; g++)
            {
                var (rho, n) = alignment[g];
                if (n == 0)
                {
                    // The authors' group-by has no row for a group the round did not draw.
                    continue;
                }
                var key = join.Groups[g];
                var c = consistencyIndex.TryGetValue((key.Model, key.ResponseLanguage), out var ci) ? consistency[ci] / (1 - options.JudgeError) : double.NaN;
                rounds.Add(new StudyBootstrapRow(join.Kind, round, key.Model, key.Population, key.ResponseLanguage, rho, n, c));
                if (!double.IsNaN(rho))
                {
                    perGroup[g].Add(rho);
                }
            }
        }
        var rows = new List<StudyAlignmentRow>();
        var order = Enumerable.Range(0, join.Groups.Count)
            .OrderBy(g => join.Groups[g].Model, StringComparer.Ordinal)
            .ThenBy(g => join.Groups[g].Population, StringComparer.Ordinal)
            .ThenBy(g => join.Groups[g].ResponseLanguage, StringComparer.Ordinal);
        foreach (var g in order)
        {
            var key = join.Groups[g];
            var values = perGroup[g];
            var (low, high) = values.Count == 0 ? (double.NaN, double.NaN) : (Quantiles.Linear(values, 0.025), Quantiles.Linear(values, 0.975));
            rows.Add(new StudyAlignmentRow(key.Model, key.Population, key.Kind, key.ResponseLanguage, point[g].Rho, point[g].N, low, high, values.Count));
        }
        return (rows, rounds);
    }

    private static IReadOnlyList<StudyConsistencyRow> Consistency(List<StudyResponse> responses, StudyAnalysisOptions options)
    {
        var point = SelfConsistency.Point(responses, options.JudgeError);
        if (options.Rounds == 0)
        {
            return point;
        }
        // The figure resamples the model rows only (all models together); baselines get no bootstrap value.
        var pool = responses.Where(r => !string.Equals(r.Family, options.BaselineFamily, StringComparison.OrdinalIgnoreCase)).ToArray();
        var boot = pool.Length == 0 ? [] : SelfConsistency.Bootstrap(pool, options.Rounds, new Random(options.StreamSeed(3)), options.JudgeError);
        return point.Select(row =>
        {
            if (!boot.TryGetValue((row.Model, row.Language), out var values))
            {
                return row;
            }
            var (mean, low, high) = SelfConsistency.Summary(values);
            return row with { BootstrapMean = mean, CiLow = low, CiHigh = high, Rounds = values.Count };
        }).ToArray();
    }

    private static (UsBiasFit? Rounds, UsBiasFit? Point) UsBias(List<StudyResponse> responses, IReadOnlyList<PopulationShare> populations,
        List<StudyAlignmentRow> alignment, List<StudyBootstrapRow>? countryRounds, StudyAnalysisOptions options, List<string> warnings)
    {
        var countryLanguage = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var share in populations.Where(p => p.Kind == PopulationKind.Country && p.Language is not null))
        {
            countryLanguage.TryAdd(share.Population, share.Language!);
        }
        if (countryLanguage.Count == 0 || !alignment.Any(a => a.PopulationKind == PopulationKind.Country))
        {
            return (null, null);
        }
        if (!responses.Any(r => r.Model == options.ReferenceModel))
        {
            warnings.Add($"US bias: no responses of the reference model {options.ReferenceModel} (add baselines with StudyBaselines); not computed");
            return (null, null);
        }
        if (!countryLanguage.Keys.Any(c => string.Equals(c, options.ReferenceCountry, StringComparison.OrdinalIgnoreCase)))
        {
            warnings.Add($"US bias: the reference country {options.ReferenceCountry} has no population shares; not computed");
            return (null, null);
        }
        var pointFrame = UsBiasRegression.Frame(
            alignment.Where(a => a.PopulationKind == PopulationKind.Country).Select(a => (0, a.Model, a.Population, a.ResponseLanguage, a.Spearman)),
            countryLanguage, options.ReferenceCountry, options.ExcludedModels);
        var point = UsBiasRegression.Fit(pointFrame, options.ReferenceModel, options.ReferenceCountry, "point", warnings);
        if (countryRounds is null || countryRounds.Count == 0)
        {
            warnings.Add("US bias: no bootstrap rounds (rounds = 0); only the point variant is computed");
            return (null, point);
        }
        var roundFrame = UsBiasRegression.Frame(
            countryRounds.Select(r => (r.Round, r.Model, r.Population, r.ResponseLanguage, r.Spearman)),
            countryLanguage, options.ReferenceCountry, options.ExcludedModels);
        return (UsBiasRegression.Fit(roundFrame, options.ReferenceModel, options.ReferenceCountry, "rounds", warnings), point);
    }

    private static IReadOnlyList<CapabilityRegressionResult> Regressions(List<StudyResponse> responses, IReadOnlyList<ModelCapability> capability,
        List<StudyBootstrapRow>? languageRounds, StudyAnalysisOptions options, List<string> warnings)
    {
        if (capability.Count == 0 || options.Formulas.Count == 0)
        {
            return [];
        }
        if (languageRounds is null || languageRounds.Count == 0)
        {
            warnings.Add("RQ1: needs language-level bootstrap rounds (language populations and rounds > 0); not fitted");
            return [];
        }
        var familyOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var response in responses)
        {
            if (familyOf.TryGetValue(response.Model, out var family) && family != response.Family)
            {
                warnings.Add($"RQ1: model {response.Model} has rows of family '{family}' and '{response.Family}'; '{family}' is used");
                familyOf[response.Model] = family;
                continue;
            }
            familyOf.TryAdd(response.Model, response.Family);
        }
        var score = capability.ToDictionary(c => (c.Model, c.Language), c => c.Score);
        var frame = new List<CapabilityObservation>();
        var withoutCapability = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in languageRounds)
        {
            if (!string.Equals(row.Population, row.ResponseLanguage, StringComparison.OrdinalIgnoreCase) || options.ExcludedModels.Contains(row.Model, StringComparer.Ordinal)
                || string.Equals(familyOf[row.Model], options.BaselineFamily, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!score.TryGetValue((row.Model, row.ResponseLanguage), out var multilingual))
            {
                withoutCapability.Add($"{row.Model} ({row.ResponseLanguage})");
                continue;
            }
            frame.Add(new CapabilityObservation(row.Round, row.Model, familyOf[row.Model], StudyLanguages.NameOf(row.ResponseLanguage), multilingual, row.Spearman, row.Consistency));
        }
        if (withoutCapability.Count > 0)
        {
            warnings.Add($"RQ1: no capability score for {string.Join(", ", withoutCapability)}; left out of the regressions (inner join, as the authors')");
        }
        var results = options.Formulas.Select(f => CapabilityRegression.Fit(frame, f)).ToArray();
        foreach (var result in results)
        {
            if (result.Problem is not null)
            {
                warnings.Add($"RQ1 {result.Formula.WireName()}: {result.Problem}");
            }
            else if (result.Fit is { Converged: false })
            {
                warnings.Add($"RQ1 {result.Formula.WireName()}: the REML optimiser did not report convergence");
            }
        }
        return results;
    }
}
