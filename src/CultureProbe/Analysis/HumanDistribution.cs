using CultureProbe.Surveys;

namespace CultureProbe.Analysis;

/// <summary>The population's answer distribution r over a question's options.</summary>
public static class HumanDistribution
{
    /// <summary>
    /// r_k for each of <paramref name="question"/>'s options in option order: the item's share of
    /// that code, renormalised over the options. Codes in <see cref="SurveyQuestion.OtherCodes"/>
    /// and codes not on the scale are left out, so r is the distribution among on-scale answers.
    /// </summary>
    /// <returns>The distribution, or null when no on-scale code has a positive share.</returns>
    /// <exception cref="ArgumentException">The item is for another question.</exception>
    public static double[]? From(ItemDistribution item, SurveyQuestion question)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(question);
        if (!string.Equals(item.Question, question.Code, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"the distribution is for {item.Question}, not {question.Code}", nameof(item));
        }
        var shares = new double[question.Options.Count];
        var total = 0.0;
        for (var k = 0; k < shares.Length; k++)
        {
            var share = item.ShareOf(question.Options[k].Code);
            shares[k] = double.IsFinite(share) && share > 0.0 ? share : 0.0;
            total += shares[k];
        }
        if (!(total > 0.0))
        {
            return null;
        }
        for (var k = 0; k < shares.Length; k++)
        {
            shares[k] /= total;
        }
        return shares;
    }

    /// <summary>r for (country, question) from a pack; null when the pack has no on-scale answers there.</summary>
    public static double[]? From(SurveyPack pack, string country, SurveyQuestion question)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(question);
        var item = pack.Find(country, question.Code);
        return item is null ? null : From(item, question);
    }
}
