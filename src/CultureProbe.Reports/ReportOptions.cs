namespace CultureProbe.Reports;

/// <summary>Choices a reader makes about what the HTML report shows.</summary>
/// <param name="Title">Heading of the report.</param>
/// <param name="ScatterCountry">
/// ISO alpha-3 code of the country whose model-vs-human scatter is drawn; null picks USA when it has
/// items, else the country with the most items.
/// </param>
/// <param name="CaseStudyCountries">
/// ISO alpha-3 codes of the countries given case-study tables (the paper's Tables 3–4); null picks up
/// to two: the scatter country and the next country with the most items.
/// </param>
/// <param name="CaseStudyMaxQuestions">At most this many questions per case-study table, in bank order.</param>
public sealed record ReportOptions(
    string Title = "CultureProbe report",
    string? ScatterCountry = null,
    IReadOnlyList<string>? CaseStudyCountries = null,
    int CaseStudyMaxQuestions = 60)
{
    /// <summary>The defaults: automatic choices everywhere.</summary>
    public static ReportOptions Default { get; } = new();
}
