using CultureProbe.Surveys;

namespace CultureProbe.Analysis;

/// <summary>The population's answer distribution r over the options a question is asked with.</summary>
public static class HumanDistribution
{
    /// <summary>
    /// r_k for each option in option order: the item's shares of option k's codes (one code, or
    /// several for a group of a collapsed scale), renormalised over the options. Codes that are
    /// on no option (a question's other codes, stray codes) are left out, so r is the
    /// distribution among on-scale answers; a share that is not a finite non-negative number
    /// counts as 0.
    /// </summary>
    /// <param name="item">The population's shares by code.</param>
    /// <param name="optionCodes">The codes each option stands for, in option order.</param>
    /// <returns>The distribution, or null when no option has a positive share.</returns>
    public static double[]? Over(ItemDistribution item, IReadOnlyList<IReadOnlyList<int>> optionCodes)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(optionCodes);
        var shares = new double[optionCodes.Count];
        var total = 0.0;
        for (var k = 0; k < shares.Length; k++)
        {
            foreach (var code in optionCodes[k])
            {
                var share = item.ShareOf(code);
                shares[k] += double.IsFinite(share) && share > 0.0 ? share : 0.0;
            }
            total += shares[k];
        }
        if (!(total > 0.0) || !double.IsFinite(total))
        {
            return null;
        }
        for (var k = 0; k < shares.Length; k++)
        {
            shares[k] /= total;
        }
        return shares;
    }
}
