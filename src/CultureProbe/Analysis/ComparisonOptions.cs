namespace CultureProbe.Analysis;

/// <summary>How a comparison of per-country correlations is resampled.</summary>
/// <param name="BootstrapResamples">B, the bootstrap resamples of the interval (≥ 1); scipy's default 9 999.</param>
/// <param name="PermutationResamples">
/// The permutation test's budget (≥ 1): the test is exact when there are at most this many
/// arrangements, else it draws this many (see <see cref="PermutationTest"/>).
/// </param>
/// <param name="Level">Confidence level of the interval, in (0, 1).</param>
/// <param name="Seed">
/// Seed of the draws: the bootstrap draws from <c>new Random(Seed)</c> and the permutation test
/// from <c>new Random(Seed ^ 0x2545F491)</c>, so that the two never share a stream.
/// </param>
public sealed record ComparisonOptions(
    int BootstrapResamples = ComparisonOptions.DefaultResamples,
    int PermutationResamples = PermutationTest.DefaultResamples,
    double Level = BootstrapCorrelation.DefaultLevel,
    int Seed = 0)
{
    /// <summary>Bootstrap resamples unless told otherwise (scipy's default).</summary>
    public const int DefaultResamples = 9999;

    /// <summary>The defaults: 9 999 bootstrap resamples, a budget of 9 999 arrangements, 95 %, seed 0.</summary>
    public static ComparisonOptions Default { get; } = new();

    /// <summary>The seed of the permutation test's stream.</summary>
    internal int PermutationSeed => Seed ^ 0x2545F491;

    internal void Validate()
    {
        if (BootstrapResamples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BootstrapResamples), BootstrapResamples, "at least one bootstrap resample is needed");
        }
        if (PermutationResamples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PermutationResamples), PermutationResamples, "the permutation budget must be at least 1");
        }
        if (!(Level > 0.0 && Level < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Level), Level, "the confidence level must lie strictly between 0 and 1");
        }
    }
}
