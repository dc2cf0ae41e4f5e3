namespace CultureProbe.Study;

/// <summary>Settings of <see cref="StudyAnalysis.Run"/>; the defaults are the authors'.</summary>
public sealed record StudyAnalysisOptions
{
    /// <summary>Bootstrap rounds (the authors' 100). 0 computes point values only: no intervals, no round-based US bias, no RQ1 fits.</summary>
    public int Rounds { get; init; } = 100;

    /// <summary>
    /// Seed of every random draw. Each draw has its own <see cref="Random"/> stream, seeded
    /// <c>Seed + 1_000_003 × s</c>: s = 0 global, 1 language and 2 country bootstrap, 3 the consistency
    /// figure's bootstrap, 4 the human reference draws. The authors drew without a seed, so no seed
    /// reproduces their rounds; any seed reproduces ours.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>Share of judge labels that disagree with human labels; consistency is divided by 1 − this (the authors' 0.045).</summary>
    public double JudgeError { get; init; } = 0.045;

    /// <summary>The country contrasted with each language's native countries in the US-bias regression.</summary>
    public string ReferenceCountry { get; init; } = "US";

    /// <summary>The baseline every US-bias contrast is taken against (treatment-coding reference).</summary>
    public string ReferenceModel { get; init; } = StudyBaselines.UniformRandom;

    /// <summary>Models left out of the US-bias and RQ1 frames (the authors drop the fifty-percent baseline).</summary>
    public IReadOnlyList<string> ExcludedModels { get; init; } = [StudyBaselines.FiftyPercent];

    /// <summary>Family of baseline rows; they are left out of the consistency figure's bootstrap, as the authors resample model rows only.</summary>
    public string BaselineFamily { get; init; } = StudyBaselines.Family;

    /// <summary>Template types to analyse; null keeps every row (the released file holds only <c>survey_hypothetical</c>, the one the authors analyse).</summary>
    public IReadOnlyList<string>? Templates { get; init; }

    /// <summary>Optional benchmark display name → response model id, consulted before the matching rule of <see cref="ModelNameMatcher"/>.</summary>
    public IReadOnlyDictionary<string, string>? CapabilityModelNames { get; init; }

    /// <summary>The RQ1 models to fit.</summary>
    public IReadOnlyList<CapabilityFormula> Formulas { get; init; } = [CapabilityFormula.Interaction, CapabilityFormula.Normal, CapabilityFormula.NoConsistency];

    /// <summary>Whether the report keeps every bootstrap round's rows (the authors' bootstrap file layout).</summary>
    public bool KeepRounds { get; init; } = true;

    /// <summary>Draws per (country, item) of the human reference computed from respondents.</summary>
    public int HumanDraws { get; init; } = HumanConsistency.DefaultDraws;

    /// <summary>Respondents per draw of the human reference.</summary>
    public int HumanSampleSize { get; init; } = HumanConsistency.DefaultSampleSize;

    /// <summary>The seed of random stream <paramref name="stream"/> (see <see cref="Seed"/>).</summary>
    internal int StreamSeed(int stream) => unchecked(Seed + (1_000_003 * stream));

    /// <summary>Checks every setting.</summary>
    /// <exception cref="SettingException">A setting is out of range.</exception>
    public void Validate()
    {
        SettingException.Require(Rounds >= 0, "rounds", "a number of bootstrap rounds ≥ 0", Rounds);
        SettingException.Require(JudgeError >= 0 && JudgeError < 1, "judge_error", "a share in [0, 1)", JudgeError);
        SettingException.Require(!string.IsNullOrWhiteSpace(ReferenceCountry), "reference_country", "a country code", $"'{ReferenceCountry}'");
        SettingException.Require(!string.IsNullOrWhiteSpace(ReferenceModel), "reference_model", "a model id", $"'{ReferenceModel}'");
        SettingException.Require(HumanDraws >= 1, "human_draws", "at least 1 draw", HumanDraws);
        SettingException.Require(HumanSampleSize >= 1, "human_sample_size", "at least 1 respondent per draw", HumanSampleSize);
        SettingException.Require(Templates is null || Templates.Count > 0, "templates", "at least one template type, or none to keep every row", "an empty list");
    }
}
