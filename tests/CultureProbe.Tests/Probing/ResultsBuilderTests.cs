using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;
using Microsoft.VisualBasic.FileIO;
using Shouldly;

namespace CultureProbe.Tests.Probing;

public sealed class ResultsBuilderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(ProbeResults Results, string Folder)> RunAsync(LikelihoodNormalization normalisation = LikelihoodNormalization.None)
    {
        var pack = ProbeHarness.SyntheticPack(_temp, "USA,JPN,DEU,NGA,BRA", rows: 80, notAskedRate: 0.02);
        using var store = ResultStore.Open(_temp.File($"r-{Guid.NewGuid():N}.db"));
        var (results, summary, _) = await ProbeHarness.RunAsync(pack, ProbeHarness.Spec("Q1-Q30,Q177-Q195", "USA,JPN,DEU,NGA,BRA"), new FakeLikelihoodModel(), store, normalisation, bootstrap: 200);
        summary.Failed.ShouldBe(0);
        var folder = _temp.File($"out-{Guid.NewGuid():N}");
        ResultsFiles.WriteAll(results, folder);
        return (results, folder);
    }

    private static List<string[]> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }
        return rows;
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Per_country_pearson_recomputed_from_items_csv_equals_alignment_csv()
    {
        var (_, folder) = await RunAsync();
        var items = ReadCsv(Path.Combine(folder, ResultsFiles.ItemsCsv));
        items[0][..7].ShouldBe(["model", "country", "question", "code", "p_model", "p_human", "score"]);
        var alignment = ReadCsv(Path.Combine(folder, ResultsFiles.AlignmentCsv));
        alignment[0][..5].ShouldBe(["model", "group", "n_questions", "pearson", "spearman"]);

        // Independent recomputation: mean scores by summing p*s per question, then the textbook Pearson formula.
        var means = items.Skip(1)
            .GroupBy(r => (Model: r[0], Country: r[1], Question: r[2]))
            .Select(g => (g.Key, Model: g.Sum(r => D(r[4]) * D(r[6])), Human: g.Sum(r => D(r[5]) * D(r[6]))))
            .ToList();
        foreach (var row in alignment.Skip(1))
        {
            var cell = means.Where(m => m.Key.Model == row[0] && m.Key.Country == row[1]).ToArray();
            int.Parse(row[2], CultureInfo.InvariantCulture).ShouldBe(cell.Length);
            var x = cell.Select(c => c.Model).ToArray();
            var y = cell.Select(c => c.Human).ToArray();
            double mx = x.Average(), my = y.Average();
            var r = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
            // 1e-12: the same sums in a different order, on ~50 terms of magnitude <= 1.
            D(row[3]).ShouldBe(r, 1e-12, $"{row[0]} {row[1]}");
        }
        alignment.Count.ShouldBe(6, "a header and one row per country");
    }

    [Fact]
    public async Task Model_shares_are_the_normalised_exponentials_of_the_stored_log_likelihoods()
    {
        var (results, _) = await RunAsync();
        var template = PromptTemplateSet.BuiltIn().Default("en");
        foreach (var item in results.Items.Take(20))
        {
            // Independently: rebuild the prompt, sum the fake's token log-probs, exponentiate and normalise.
            var asked = AskedQuestion.Create(QuestionBankLoader.Default.Get(item.Question));
            var prompts = PromptBuilder.Build(asked, CountryTable.Default.Select(item.Country), template, AnswerFormat.LetterAndText);
            var prompt = prompts.PromptFor(prompts.Branches[0]);
            var exps = prompts.Branches[0].Choices.Select(c => Math.Exp(FakeLikelihoodModel.LogLikelihood(prompt, c.Text))).ToArray();
            // 1e-12: softmax with a max shift and exp of the plain values agree to rounding for log-likelihoods in [-15, -1].
            item.ModelShares.ShouldBe(exps.Select(e => e / exps.Sum()).ToArray(), 1e-12);
            item.HumanShares.Sum().ShouldBe(1.0, 1e-12);
        }
    }

    [Fact]
    public async Task Every_group_kind_is_present_with_baselines()
    {
        var (results, folder) = await RunAsync();
        results.Alignment.Select(r => r.GroupKind).Distinct().Order().ShouldBe([GroupKind.Country, GroupKind.Category, GroupKind.Continent, GroupKind.Western, GroupKind.All]);
        var all = results.Alignment.Single(r => r.GroupKind == GroupKind.All);
        all.NCountries.ShouldBe(5);
        all.Pearson.ShouldBe(results.Alignment.Where(r => r.GroupKind == GroupKind.Country).Average(r => r.Pearson), 1e-12);
        // The pooled distribution is at least as close to each population as a random model, so its 1-JSD is high.
        all.JsAlignmentPooled.ShouldBeGreaterThan(all.JsAlignmentUniform);
        results.Alignment.Single(r => r.GroupKind == GroupKind.Western && r.Group == "Western").NCountries.ShouldBe(2);
        File.Exists(Path.Combine(folder, ResultsFiles.AlignmentGroupsCsv)).ShouldBeTrue();
        ResultsFiles.ReadJson(Path.Combine(folder, ResultsFiles.ResultsJson)).Items.Count.ShouldBe(results.Items.Count);
    }

    [Fact]
    public async Task Shuffled_baseline_pearson_is_the_correlation_with_another_countrys_population()
    {
        var (results, _) = await RunAsync();
        var humanMeans = results.Items.ToLookup(i => i.Country);
        var countries = humanMeans.Select(g => g.Key).ToArray();
        var assignment = Baselines.ShuffledCountryAssignment(countries, 1);
        foreach (var row in results.Alignment.Where(r => r.GroupKind == GroupKind.Country))
        {
            var own = humanMeans[row.Group].ToDictionary(i => i.Question, i => i.HumanMean);
            var other = humanMeans[assignment[row.Group]].ToDictionary(i => i.Question, i => i.HumanMean);
            var shared = own.Keys.Where(other.ContainsKey).Order(StringComparer.Ordinal).ToArray();
            var expected = Correlation.Pearson(shared.Select(q => other[q]).ToArray(), shared.Select(q => own[q]).ToArray()).Value;
            row.PearsonShuffled.ShouldBe(expected, 1e-12);
        }
    }

    [Fact]
    public async Task Per_token_normalisation_changes_shares_but_keeps_them_distributions()
    {
        var (none, _) = await RunAsync();
        var (perToken, _) = await RunAsync(LikelihoodNormalization.PerToken);
        perToken.Method.Normalisation.ShouldBe(LikelihoodNormalization.PerToken);
        var template = PromptTemplateSet.BuiltIn().Default("en");
        for (var i = 0; i < 20; i++)
        {
            var item = perToken.Items[i];
            item.ModelShares.Sum().ShouldBe(1.0, 1e-12);
            // The fake's answers have several tokens each (" A) Very important" is three), so dividing by the count changes p.
            item.ModelShares.ShouldNotBe(none.Items[i].ModelShares);
            var asked = AskedQuestion.Create(QuestionBankLoader.Default.Get(item.Question));
            var prompts = PromptBuilder.Build(asked, CountryTable.Default.Select(item.Country), template, AnswerFormat.LetterAndText);
            var prompt = prompts.PromptFor(prompts.Branches[0]);
            var exps = prompts.Branches[0].Choices.Select(c => Math.Exp(FakeLikelihoodModel.LogLikelihood(prompt, c.Text) / FakeLikelihoodModel.Tokens(c.Text).Count)).ToArray();
            item.ModelShares.ShouldBe(exps.Select(e => e / exps.Sum()).ToArray(), 1e-12);
        }
    }
}
