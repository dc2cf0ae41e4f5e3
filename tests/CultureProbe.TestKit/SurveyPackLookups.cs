using CultureProbe.Surveys;

namespace CultureProbe.TestKit;

/// <summary>Look-ups in a pack for assertions, through the production <see cref="SurveyIndex"/>.</summary>
public static class SurveyPackLookups
{
    public static ItemDistribution? Find(this SurveyPack pack, string country, string question) => new SurveyIndex(pack).Find(country, question);
}
