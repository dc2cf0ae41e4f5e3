using CultureProbe.Analysis;
using CultureProbe.Analysis.MixedModels;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>One language of the study and the country whose language it is.</summary>
public sealed record CountryCuedLanguage(string Language, Country Country);

/// <summary>Alignment of one (model, language, template) with the local population and with the US population.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Family">Model family (card) or the model id.</param>
/// <param name="Language">Prompt language.</param>
/// <param name="Country">The language's country (ISO alpha-3).</param>
/// <param name="TemplateId">Template id.</param>
/// <param name="NQuestions">Questions correlated.</param>
/// <param name="LocalPearson">Pearson r of the model's mean scores with the local population's.</param>
/// <param name="UsPearson">Pearson r of the same model answers with the US population's.</param>
/// <param name="LocalJsAlignment">Mean 1 − JSD with the local population.</param>
public sealed record CountryCuedAlignment(string Model, string Family, string Language, string Country, string TemplateId, int NQuestions, double LocalPearson, double UsPearson, double LocalJsAlignment)
{
    /// <summary>US-centric bias: alignment with the US minus alignment with the local population.</summary>
    public double UsBias => UsPearson - LocalPearson;
}

/// <summary>How consistently a model answers a language's questions across paraphrased templates.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Language">Prompt language.</param>
/// <param name="Templates">Templates compared.</param>
/// <param name="MeanPairwise">Mean Pearson r between the per-question mean scores of every pair of templates.</param>
/// <param name="SplitHalf">Mean over random splits of the templates into two halves of the r between the halves' averaged mean scores.</param>
/// <param name="HumanCeiling">For scale: the split-half r of the population's own mean scores (two halves drawn from its distribution at its effective sample size).</param>
public sealed record CountryCuedConsistency(string Model, string Language, int Templates, double MeanPairwise, double SplitHalf, double HumanCeiling);

/// <summary>A fitted regression of the study, or why it could not be fitted.</summary>
/// <param name="Name">What the regression asks.</param>
/// <param name="Formula">The formula fitted.</param>
/// <param name="Fit">The mixed-model fit (random intercept per model).</param>
/// <param name="Problem">Why no fit, or why the random intercept was dropped.</param>
/// <param name="Ols">With a single model the random intercept per model cannot be estimated (lme4 refuses it too); the fixed part is then fitted by OLS.</param>
public sealed record CountryCuedRegression(string Name, string Formula, MixedModelFit? Fit, string? Problem, OlsFit? Ols = null);

/// <summary>Everything the study computed.</summary>
public sealed record CountryCuedResults(
    IReadOnlyList<CountryCuedAlignment> Alignment,
    IReadOnlyList<CountryCuedConsistency> Consistency,
    IReadOnlyList<CountryCuedRegression> Regressions,
    IReadOnlyList<ItemResult> Items,
    RunProvenance Provenance,
    IReadOnlyList<ModelInfo> Models,
    AnswerFormat AnswerFormat,
    string ReferenceCountry = "USA");

/// <summary>
/// Rystrøm, Kirk &amp; Hale's multilingual study: models × languages × templates × questions,
/// each language asked about its own country and, as the contrast, the USA. It measures
/// alignment per template, self-consistency across templates, US-centric bias, and fits the
/// paper's mixed-effects regressions with a random intercept per model.
/// </summary>
public static class CountryCuedStudy
{
    /// <summary>The country each study language is asked about by default.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultCountries = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["da"] = "DNK",
        ["nl"] = "NLD",
        ["pt"] = "PRT",
        ["en"] = "USA",
    };

    /// <summary>The specs to run: one per (language, template), asking about the language's country and the reference country (the bank's, the USA for WVS-7).</summary>
    public static IReadOnlyList<(CountryCuedLanguage Language, ProbeSpec Spec)> Specs(IReadOnlyList<CountryCuedLanguage> languages, IReadOnlyList<string> templateSelection, PromptTemplateSet templates, string questionSelection, AnswerFormat format, Country reference)
    {
        ArgumentNullException.ThrowIfNull(languages);
        ArgumentNullException.ThrowIfNull(templateSelection);
        ArgumentNullException.ThrowIfNull(templates);
        var usa = reference;
        var specs = new List<(CountryCuedLanguage, ProbeSpec)>();
        foreach (var language in languages)
        {
            var bank = QuestionBankTranslations.ForLanguage(language.Language);
            var questions = bank.Select(questionSelection).Where(q => q.IsOrdinal).ToArray();
            var countries = language.Country.Iso3 == usa.Iso3 ? new[] { usa } : new[] { language.Country, usa };
            var chosen = templateSelection.Count == 1 ? templates.Select(language.Language, templateSelection[0]) : templateSelection.Select(id => templates.Get(language.Language, id)).ToArray();
            foreach (var template in chosen)
            {
                specs.Add((language, new ProbeSpec(questions, countries, template, format)));
            }
        }
        return specs;
    }

    /// <summary>Computes the study's tables and regressions from each spec's results.</summary>
    /// <param name="runs">Each (language, spec) with the results built for it.</param>
    /// <param name="pack">The survey pack (for effective sample sizes of the human ceiling).</param>
    /// <param name="capability">Multilingual capability by (model, language), from the user's table; may be empty.</param>
    /// <param name="seed">Seed of the split-half draws.</param>
    /// <param name="referenceCountry">The contrast population (ISO alpha-3).</param>
    public static CountryCuedResults Analyse(IReadOnlyList<(CountryCuedLanguage Language, ProbeSpec Spec, ProbeResults Results)> runs, SurveyPack pack, IReadOnlyDictionary<(string Model, string Language), double> capability, int seed, string referenceCountry)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(capability);
        var alignment = new List<CountryCuedAlignment>();
        var perTemplateMeans = new Dictionary<(string Model, string Language), List<Dictionary<string, double>>>();
        var humanMeans = new Dictionary<string, Dictionary<string, double>>();
        var items = new List<ItemResult>();
        foreach (var (language, spec, results) in runs)
        {
            items.AddRange(results.Items);
            foreach (var model in results.Models)
            {
                var local = results.Items.Where(i => i.Model == model.Id && i.Country == language.Country.Iso3).ToDictionary(i => i.Question);
                var us = results.Items.Where(i => i.Model == model.Id && i.Country == referenceCountry).ToDictionary(i => i.Question, i => i.HumanMean);
                var questions = local.Keys.Order(StringComparer.Ordinal).ToArray();
                var localPearson = Correlation.Pearson(questions.Select(q => local[q].ModelMean).ToArray(), questions.Select(q => local[q].HumanMean).ToArray()).Value;
                var both = questions.Where(us.ContainsKey).ToArray();
                var usPearson = Correlation.Pearson(both.Select(q => local[q].ModelMean).ToArray(), both.Select(q => us[q]).ToArray()).Value;
                alignment.Add(new CountryCuedAlignment(model.Id, model.Family ?? model.Id, language.Language, language.Country.Iso3, spec.Template.Id, questions.Length,
                    localPearson, usPearson, questions.Length == 0 ? double.NaN : questions.Average(q => local[q].JsAlignment)));
                if (!perTemplateMeans.TryGetValue((model.Id, language.Language), out var list))
                {
                    list = [];
                    perTemplateMeans[(model.Id, language.Language)] = list;
                }
                list.Add(local.ToDictionary(kv => kv.Key, kv => kv.Value.ModelMean));
                humanMeans.TryAdd(language.Language, local.ToDictionary(kv => kv.Key, kv => kv.Value.HumanMean));
            }
        }

        var consistency = new List<CountryCuedConsistency>();
        foreach (var ((model, language), templates) in perTemplateMeans.OrderBy(k => k.Key.Model, StringComparer.Ordinal).ThenBy(k => k.Key.Language, StringComparer.Ordinal))
        {
            var country = runs.First(r => r.Language.Language == language).Language.Country.Iso3;
            var question = runs.First(r => r.Language.Language == language).Spec.Questions.Where(q => templates.All(t => t.ContainsKey(q.Code))).ToArray();
            consistency.Add(new CountryCuedConsistency(model, language, templates.Count,
                MeanPairwise(templates, question.Select(q => q.Code).ToArray()),
                SplitHalf(templates, question.Select(q => q.Code).ToArray(), seed),
                HumanCeiling(pack, country, question, seed)));
        }

        var regressions = Regressions(alignment, consistency, capability);
        var first = runs.Count > 0 ? runs[0].Results : null;
        var models = runs.SelectMany(r => r.Results.Models).GroupBy(m => m.Id).Select(g => g.First()).ToArray();
        return new CountryCuedResults(alignment, consistency, regressions, items, first?.Provenance ?? new RunProvenance("", "", null, false, "", ProgramInfo.Version, DateTimeOffset.UtcNow, seed), models,
            runs.Count > 0 ? runs[0].Spec.AnswerFormat : AnswerFormat.LetterAndText, referenceCountry);
    }

    /// <summary>Mean Pearson r over every pair of templates, on the questions all templates answered.</summary>
    public static double MeanPairwise(IReadOnlyList<IReadOnlyDictionary<string, double>> templates, IReadOnlyList<string> questions)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(questions);
        var values = new List<double>();
        for (var a = 0; a < templates.Count; a++)
        {
            for (var b = a + 1; b < templates.Count; b++)
            {
                var r = Correlation.Pearson(questions.Select(q => templates[a][q]).ToArray(), questions.Select(q => templates[b][q]).ToArray()).Value;
                if (double.IsFinite(r))
                {
                    values.Add(r);
                }
            }
        }
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static double MeanPairwise(List<Dictionary<string, double>> templates, string[] questions) =>
        MeanPairwise(templates.Select(t => (IReadOnlyDictionary<string, double>)t).ToArray(), questions);

    /// <summary>
    /// Split-half consistency: 200 seeded random splits of the templates into two halves; each
    /// half's per-question mean scores are averaged over its templates, and the two halves are
    /// correlated. The mean r over splits is returned (NaN with fewer than 2 templates).
    /// </summary>
    public static double SplitHalf(IReadOnlyList<IReadOnlyDictionary<string, double>> templates, IReadOnlyList<string> questions, int seed, int splits = 200)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(questions);
        if (templates.Count < 2 || questions.Count < 3)
        {
            return double.NaN;
        }
        var random = new Random(seed);
        var values = new List<double>();
        var order = Enumerable.Range(0, templates.Count).ToArray();
        for (var s = 0; s < splits; s++)
        {
            random.Shuffle(order);
            var half = templates.Count / 2;
            var first = order[..half];
            var second = order[half..(2 * half)];
            var x = questions.Select(q => first.Average(t => templates[t][q])).ToArray();
            var y = questions.Select(q => second.Average(t => templates[t][q])).ToArray();
            var r = Correlation.Pearson(x, y).Value;
            if (double.IsFinite(r))
            {
                values.Add(r);
            }
        }
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static double SplitHalf(List<Dictionary<string, double>> templates, string[] questions, int seed) =>
        SplitHalf(templates.Select(t => (IReadOnlyDictionary<string, double>)t).ToArray(), questions, seed);

    /// <summary>
    /// The human ceiling: how well two halves of the population agree with each other. The pack
    /// keeps distributions, not respondents, so each half is drawn from the population's
    /// distribution at half its Kish effective sample size (200 seeded draws); the mean r of the
    /// halves' mean scores across questions is returned.
    /// </summary>
    public static double HumanCeiling(SurveyPack pack, string country, IReadOnlyList<SurveyQuestion> questions, int seed, int draws = 200)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(questions);
        var survey = new SurveyIndex(pack);
        var cells = questions.Select(q => (Asked: AskedQuestion.Create(q), Distribution: survey.Find(country, q.Code)))
            .Where(c => c.Distribution is not null && c.Asked.HumanShares(c.Distribution) is not null)
            .Select(c => (Shares: c.Asked.HumanShares(c.Distribution)!, Scores: c.Asked.Options.Select(o => o.Score ?? 0).ToArray(), Half: Math.Max(1, (int)Math.Round(c.Distribution!.EffectiveN / 2))))
            .ToArray();
        if (cells.Length < 3)
        {
            return double.NaN;
        }
        var random = new Random(seed);
        var values = new List<double>();
        for (var d = 0; d < draws; d++)
        {
            var x = cells.Select(c => SampleMean(c.Shares, c.Scores, c.Half, random)).ToArray();
            var y = cells.Select(c => SampleMean(c.Shares, c.Scores, c.Half, random)).ToArray();
            var r = Correlation.Pearson(x, y).Value;
            if (double.IsFinite(r))
            {
                values.Add(r);
            }
        }
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static double SampleMean(double[] shares, double[] scores, int n, Random random)
    {
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var u = random.NextDouble();
            var k = 0;
            var cumulative = shares[0];
            while (u >= cumulative && k < shares.Length - 1)
            {
                k++;
                cumulative += shares[k];
            }
            sum += scores[k];
        }
        return sum / n;
    }

    /// <summary>
    /// The paper's two regressions, each with a random intercept per model: alignment on
    /// consistency by language, and alignment on multilingual capability by family plus language.
    /// Terms that the data cannot carry (one language, one family) are left out and said so.
    /// </summary>
    private static List<CountryCuedRegression> Regressions(List<CountryCuedAlignment> alignment, List<CountryCuedConsistency> consistency, IReadOnlyDictionary<(string, string), double> capability)
    {
        var rows = alignment.Where(a => double.IsFinite(a.LocalPearson)).ToArray();
        var consistencyOf = consistency.ToDictionary(c => (c.Model, c.Language), c => c.MeanPairwise);
        var languages = rows.Select(r => r.Language).Distinct().Count();
        var families = rows.Select(r => r.Family).Distinct().Count();
        var result = new List<CountryCuedRegression>();

        var usable = rows.Where(r => double.IsFinite(consistencyOf.GetValueOrDefault((r.Model, r.Language), double.NaN))).ToArray();
        var formula1 = languages > 1 ? "alignment ~ consistency * language + (1 | model)" : "alignment ~ consistency + (1 | model)";
        result.Add(FitOrExplain("Alignment on self-consistency by language", formula1, new DataFrame(
        [
            DataColumn.Numeric("alignment", usable.Select(r => r.LocalPearson).ToArray()),
            DataColumn.Numeric("consistency", usable.Select(r => consistencyOf[(r.Model, r.Language)]).ToArray()),
            DataColumn.Factor("language", usable.Select(r => (string?)r.Language).ToArray()),
            DataColumn.Factor("model", usable.Select(r => (string?)r.Model).ToArray()),
        ])));

        var withCapability = rows.Where(r => capability.ContainsKey((r.Model, r.Language))).ToArray();
        if (withCapability.Length == 0)
        {
            result.Add(new CountryCuedRegression("Alignment on multilingual capability by family and language", "alignment ~ capability * family + language + (1 | model)", null,
                "no multilingual capability table was given (--capability model,language,score)"));
            return result;
        }
        var terms = families > 1 ? "capability * family" : "capability";
        var formula2 = $"alignment ~ {terms}{(languages > 1 ? " + language" : "")} + (1 | model)";
        result.Add(FitOrExplain("Alignment on multilingual capability by family and language", formula2, new DataFrame(
        [
            DataColumn.Numeric("alignment", withCapability.Select(r => r.LocalPearson).ToArray()),
            DataColumn.Numeric("capability", withCapability.Select(r => capability[(r.Model, r.Language)]).ToArray()),
            DataColumn.Factor("family", withCapability.Select(r => (string?)r.Family).ToArray()),
            DataColumn.Factor("language", withCapability.Select(r => (string?)r.Language).ToArray()),
            DataColumn.Factor("model", withCapability.Select(r => (string?)r.Model).ToArray()),
        ])));
        return result;
    }

    private static CountryCuedRegression FitOrExplain(string name, string formula, DataFrame data)
    {
        try
        {
            var models = data.Find("model") is { } column ? Enumerable.Range(0, data.RowCount).Select(column.TextAt).Distinct().Count() : 0;
            if (models < 2)
            {
                var fixedPart = formula[..formula.IndexOf(" + (1 | model)", StringComparison.Ordinal)];
                return new CountryCuedRegression(name, fixedPart, null,
                    "one model only: a random intercept per model needs two or more models, so the fixed part is fitted by OLS", OrdinaryLeastSquares.Fit(data, fixedPart));
            }
            return new CountryCuedRegression(name, formula, LinearMixedModel.Fit(data, formula), null);
        }
        catch (Exception e) when (e is InputException or ArgumentException or InvalidOperationException)
        {
            return new CountryCuedRegression(name, formula, null, e.Message);
        }
    }
}
