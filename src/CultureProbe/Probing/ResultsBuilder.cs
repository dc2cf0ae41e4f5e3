using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>Turns stored scores and a survey pack into <see cref="ProbeResults"/>.</summary>
public static class ResultsBuilder
{
    /// <summary>
    /// Builds the results of a run from what the store holds for it. Items missing from the
    /// store (failed, or not yet scored) are left out and counted in <paramref name="missing"/>.
    /// </summary>
    public static ProbeResults Build(
        ProbeSpec spec,
        IReadOnlyList<ProbeModel> models,
        SurveyPack pack,
        ResultStore store,
        CountryTable countries,
        QuestionBank bank,
        LikelihoodNormalization normalisation,
        AlignmentOptions options,
        out long missing)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        missing = 0;
        var compared = new List<ComparedItem>();
        foreach (var model in models)
        {
            foreach (var question in spec.Questions)
            {
                var asked = AskedQuestion.Create(question, spec.CollapseSize);
                var countriesAsked = spec.Countries.Where(c => asked.HumanShares(pack.Find(c.Iso3, question.Code)) is not null).ToArray();
                if (countriesAsked.Length == 0)
                {
                    continue;
                }
                var prompts = PromptBuilder.Build(asked, countriesAsked, spec.Template, spec.AnswerFormat);
                foreach (var branch in prompts.Branches)
                {
                    var stored = store.Find(ProbeRunner.ItemKey(model, prompts, branch));
                    if (stored is null)
                    {
                        missing++;
                        continue;
                    }
                    var p = ModelDistribution.FromLogLikelihoods(stored.Options.Select(o => new OptionLikelihood(o.LogProb, o.TokenCount, o.ByteCount)).ToArray(), normalisation);
                    compared.Add(Compare(model.Info.Id, branch.Country.Iso3, asked, p, asked.HumanShares(pack.Find(branch.Country.Iso3, question.Code))!));
                }
            }
        }
        var items = compared.Select(c => c.ToResult()).ToArray();
        var alignment = AlignmentBuilder.Build(compared, countries, options);
        var template = spec.Template;
        var methods = models.Select(m => m.Info.ScoringMethod).Distinct().ToArray();
        var method = new MethodInfo(methods.Length == 1 ? methods[0] : null, normalisation, template.Id, template.Sha256, spec.AnswerFormat, template.Language,
            models.Any(m => m.Info.UsedChatTemplate));
        var source = pack.Provenance.Source;
        var provenance = new RunProvenance(source.FileName, source.Sha256, pack.Provenance.WeightVariable, pack.Provenance.Synthetic, bank.Sha256,
            ProgramInfo.Version, DateTimeOffset.UtcNow, options.Seed);
        return new ProbeResults(ProbeResults.CurrentSchemaVersion, provenance, method, models.Select(m => m.Info).ToArray(), items, alignment);
    }

    /// <summary>A compared item for an asked question.</summary>
    public static ComparedItem Compare(string model, string group, AskedQuestion asked, IReadOnlyList<double> modelShares, IReadOnlyList<double> humanShares)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var codes = asked.Options.Select(o => string.Join('+', o.Codes.Select(c => c.ToString(CultureInfo.InvariantCulture)))).ToArray();
        var scores = asked.Options.Select(o => o.Score ?? double.NaN).ToArray();
        var ranks = ComparedItem.RanksOfScores(scores);
        return new ComparedItem(model, group, asked.Question.Code, asked.Question.CategoryId, codes, asked.Options.Select(o => o.Label).ToArray(),
            modelShares, humanShares, scores, ranks);
    }
}
