namespace CultureProbe.Surveys;

/// <summary>
/// The WVS-7 "inverted" release reverses the scales of many items so that a higher code means
/// more of the named quality, and renames each reversed item with a "P" suffix (Q1 → Q1P).
/// Items it leaves alone keep their names and codes. This class maps reversed codes back to the
/// standard ones, so both releases land in the same survey pack.
/// </summary>
/// <remarks>
/// Two forms of reversal occur: the same code range in reverse order (Q1P: 1..4 with 4 = very
/// important), and binary items re-coded from 1/2 to 1/0 (mentioned = 1, not mentioned = 0).
/// Which form a column uses is decided from all the codes seen in it: codes within the standard
/// set are read as the same range reversed; codes within 0..K-1 (for a standard 1..K scale) as
/// the zero-based form. Either way the i-th smallest inverted code is the i-th largest standard code.
/// </remarks>
public static class InvertedCoding
{
    /// <summary>The column name the inverted release gives a reversed item.</summary>
    public static string ColumnName(SurveyQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return question.Code + "P";
    }

    /// <summary>
    /// The map from inverted to standard codes for a reversed column in which
    /// <paramref name="seenCodes"/> occurred; codes that fit neither form are kept and reported.
    /// </summary>
    public static IReadOnlyDictionary<int, int> StandardCodes(SurveyQuestion question, IReadOnlySet<int> seenCodes, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(seenCodes);
        ArgumentNullException.ThrowIfNull(warnings);
        var standard = question.Options.Select(o => o.Code).Order().ToArray();
        var k = standard.Length;
        int[] inverted = seenCodes.All(c => Array.IndexOf(standard, c) >= 0)
            ? standard
            : seenCodes.All(c => c >= 0 && c < k) ? Enumerable.Range(0, k).ToArray() : standard;
        if (!seenCodes.All(c => Array.IndexOf(inverted, c) >= 0))
        {
            warnings.Add($"{ColumnName(question)}: inverted codes {string.Join(", ", seenCodes.Order())} fit neither the standard codes ({string.Join(", ", standard)}) nor 0..{k - 1}; codes outside them are kept as they are");
        }
        var map = new Dictionary<int, int>();
        for (var i = 0; i < k; i++)
        {
            map[inverted[i]] = standard[k - 1 - i];
        }
        return map;
    }
}
