using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Reports.Tests;

/// <summary>
/// Realistic results built in code: countries on every continent (one of them, Hong Kong, has no shape
/// in the 110m atlas), a base/chat pair plus a third model, ordinal items over several categories, and
/// one country where a model answers every question the same, so its Pearson r is undefined (NaN).
/// </summary>
public static class SampleResults
{
    public const string CountriesYaml = """
        version: 1
        westernRule: test table
        countries:
          - { iso3: USA, isoNumeric: 840, name: the United States, continent: North America, western: true, zone: English-speaking, languages: [en], surveys: [WVS7] }
          - { iso3: CAN, isoNumeric: 124, name: Canada, continent: North America, western: true, zone: English-speaking, languages: [en, fr], surveys: [WVS7] }
          - { iso3: DEU, isoNumeric: 276, name: Germany, continent: Europe, western: true, zone: Protestant Europe, languages: [de], surveys: [WVS7, EVS2017] }
          - { iso3: SWE, isoNumeric: 752, name: Sweden, continent: Europe, western: true, zone: Protestant Europe, languages: [sv], surveys: [EVS2017] }
          - { iso3: JPN, isoNumeric: 392, name: Japan, continent: Asia, western: false, zone: Confucian, languages: [ja], surveys: [WVS7] }
          - { iso3: IND, isoNumeric: 356, name: India, continent: Asia, western: false, zone: West & South Asia, languages: [hi, en], surveys: [WVS7] }
          - { iso3: HKG, isoNumeric: 344, name: Hong Kong, continent: Asia, western: false, zone: Confucian, languages: [zh], surveys: [WVS7] }
          - { iso3: NGA, isoNumeric: 566, name: Nigeria, continent: Africa, western: false, zone: African-Islamic, languages: [en], surveys: [WVS7] }
          - { iso3: EGY, isoNumeric: 818, name: Egypt, continent: Africa, western: false, zone: African-Islamic, languages: [ar], surveys: [WVS7] }
          - { iso3: BRA, isoNumeric: 76, name: Brazil, continent: South America, western: false, zone: Latin America, languages: [pt], surveys: [WVS7] }
          - { iso3: AUS, isoNumeric: 36, name: Australia, continent: Oceania, western: true, zone: English-speaking, languages: [en], surveys: [WVS7] }
        """;

    /// <summary>The country whose r is NaN for <see cref="BaseModel"/>.</summary>
    public const string FlatCountry = "EGY";

    public const string BaseModel = "llama-3-8b";
    public const string ChatModel = "llama-3-8b-instruct";
    public const string OtherModel = "qwen-2.5-7b";

    public static CountryTable Countries { get; } = CountryTable.Parse(CountriesYaml, "test countries");

    public static QuestionBank Bank => QuestionBankLoader.Default;

    /// <summary>Builds the results; <paramref name="synthetic"/> marks the survey synthetic, <paramref name="withPair"/> links the chat model to its base.</summary>
    public static ProbeResults Build(bool synthetic = false, bool withPair = true, CountryTable? countries = null, int questionsPerCategory = 6, int categories = 5, int models = 3)
    {
        countries ??= Countries;
        var random = new Random(20240617);
        var questions = Bank.Questions.Where(q => q.IsOrdinal && q.Options.Count >= 3)
            .GroupBy(q => q.CategoryId)
            .Take(categories)
            .SelectMany(g => g.Take(questionsPerCategory))
            .ToList();
        var modelInfos = new List<ModelInfo>
        {
            new(BaseModel, "/models/llama-3-8b.Q8_0.gguf", new string('a', 64), "llama", ScoringMethod.LogLikelihoodLocal, false, Family: "Llama 3", ParametersBillions: 8, IsChat: false),
            new(ChatModel, "/models/llama-3-8b-instruct.Q8_0.gguf", new string('b', 64), "llama", ScoringMethod.LogLikelihoodLocal, true, Family: "Llama 3", ParametersBillions: 8, IsChat: true, BaseModelId: withPair ? BaseModel : null),
            new(OtherModel, "http://127.0.0.1:8000/v1 qwen2.5-7b", null, "vllm", ScoringMethod.LogLikelihoodPromptLogProbs, false, Family: "Qwen 2.5", ParametersBillions: 7.6, IsChat: false),
        }.Take(models).ToList();

        var items = new List<ItemResult>();
        foreach (var country in countries.Countries)
        {
            var lean = random.NextDouble() * 2 - 1; // where the country sits on a values axis
            foreach (var question in questions)
            {
                var codes = question.Options.Select(o => o.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                var labels = question.Options.Select(o => o.Label).ToArray();
                var scores = question.Options.Select(o => o.Score ?? 0).ToArray();
                var human = Normalise(scores.Select(s => Math.Exp(2.5 * lean * s + random.NextDouble())).ToArray());
                for (var m = 0; m < modelInfos.Count; m++)
                {
                    // The chat model tracks the population more closely than its base; the third model is noisier.
                    var noise = m switch { 0 => 1.2, 1 => 0.5, _ => 2.0 };
                    var model = modelInfos[m].Id == BaseModel && country.Iso3 == FlatCountry
                        ? Normalise(scores.Select(_ => 1.0).ToArray())
                        : Normalise(human.Select(h => Math.Exp(Math.Log(h) + noise * (random.NextDouble() - 0.5))).ToArray());
                    var modelMean = modelInfos[m].Id == BaseModel && country.Iso3 == FlatCountry ? 0.0 : Dot(model, scores);
                    items.Add(new ItemResult(modelInfos[m].Id, country.Iso3, question.Code, question.CategoryId, codes, labels, model, human, scores,
                        modelMean, Dot(human, scores), 1 - random.NextDouble() * 0.4, random.NextDouble() * 0.3,
                        codes[ArgMax(model)], codes[ArgMax(human)]));
                }
            }
        }

        var alignment = new List<AlignmentRow>();
        foreach (var model in modelInfos)
        {
            var countryRows = new List<(Country Country, AlignmentRow Row)>();
            foreach (var country in countries.Countries)
            {
                var own = items.Where(i => i.Model == model.Id && i.Country == country.Iso3).ToList();
                var r = Pearson(own.Select(i => i.HumanMean).ToArray(), own.Select(i => i.ModelMean).ToArray());
                var row = new AlignmentRow(model.Id, GroupKind.Country, country.Iso3, own.Count, r, double.IsFinite(r) ? r * 0.95 : double.NaN,
                    double.IsFinite(r) ? Math.Max(-1, r - 0.15) : double.NaN, double.IsFinite(r) ? Math.Min(1, r + 0.1) : double.NaN,
                    own.Average(i => i.JsAlignment), own.Average(i => i.Wasserstein), own.Count(i => i.TopMatch) / (double)own.Count,
                    0.55 + 0.1 * random.NextDouble(), 0.3 * random.NextDouble(), 0.7, 0.8, 0.75);
                countryRows.Add((country, row));
                alignment.Add(row);
            }
            alignment.AddRange(countryRows.GroupBy(p => p.Country.Continent).Select(g => Aggregate(model.Id, GroupKind.Continent, g.Key, g.Select(p => p.Row))));
            alignment.AddRange(countryRows.GroupBy(p => p.Country.IsWestern).Select(g => Aggregate(model.Id, GroupKind.Western, g.Key ? "Western" : "non-Western", g.Select(p => p.Row))));
            alignment.Add(Aggregate(model.Id, GroupKind.All, "all", countryRows.Select(p => p.Row)));
            foreach (var category in questions.Select(q => q.CategoryId).Distinct())
            {
                alignment.Add(Aggregate(model.Id, GroupKind.Category, category, countryRows.Select(p => p.Row)));
            }
        }

        return new ProbeResults(
            ProbeResults.CurrentSchemaVersion,
            new RunProvenance(synthetic ? "synthetic-wvs7.csv" : "WVS_Cross-National_Wave_7_csv_v6_0.csv", new string('c', 64), "W_WEIGHT", synthetic,
                Bank.Sha256, "0.1.0-test", new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), 42),
            new MethodInfo(null, LikelihoodNormalization.None, "paper-fig5", new string('d', 64), AnswerFormat.LetterAndText, "en", true),
            modelInfos,
            items,
            alignment);
    }

    /// <summary>A table of <paramref name="count"/> countries, each given a real ISO numeric code that has a shape in the atlas.</summary>
    public static CountryTable ManyCountries(int count, IReadOnlyList<int> numericCodes)
    {
        string[] continents = ["Africa", "Asia", "Europe", "North America", "South America", "Oceania"];
        var lines = new List<string> { "version: 1", "westernRule: test", "countries:" };
        for (var i = 0; i < count; i++)
        {
            var iso3 = new string([(char)('A' + i / 26 % 26), (char)('A' + i % 26), 'X']);
            lines.Add($"  - {{ iso3: {iso3}, isoNumeric: {numericCodes[i]}, name: Country {iso3}, continent: {continents[i % continents.Length]}, western: {(i % 3 == 0 ? "true" : "false")}, zone: Test, languages: [en], surveys: [WVS7] }}");
        }
        return CountryTable.Parse(string.Join('\n', lines), "many countries");
    }

    private static AlignmentRow Aggregate(string model, GroupKind kind, string group, IEnumerable<AlignmentRow> rows)
    {
        var list = rows.ToList();
        double Mean(Func<AlignmentRow, double> f) => list.Select(f).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        return new AlignmentRow(model, kind, group, list.Max(r => r.NQuestions), Mean(r => r.Pearson), Mean(r => r.Spearman), double.NaN, double.NaN,
            Mean(r => r.MeanJsAlignment), Mean(r => r.MeanWasserstein), Mean(r => r.TopMatchRate), Mean(r => r.PearsonPooled), Mean(r => r.PearsonShuffled),
            0.7, 0.8, 0.75, list.Count);
    }

    private static double[] Normalise(double[] values)
    {
        var sum = values.Sum();
        return values.Select(v => v / sum).ToArray();
    }

    private static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Select((v, i) => v * b[i]).Sum();

    private static int ArgMax(IReadOnlyList<double> values) => values.Select((v, i) => (v, i)).MaxBy(p => p.v).i;

    /// <summary>Pearson r; NaN when either side is constant (0/0), exactly as the analysis reports it.</summary>
    public static double Pearson(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
