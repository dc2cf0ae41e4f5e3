using System.Globalization;

namespace CultureProbe.Study;

/// <summary>The files of one study analysis; only the responses are required.</summary>
/// <param name="Responses">Judged responses (<c>model,family,template,prompt_language,response_language,topic,pro_score</c> or the released <c>latest_results_with_baseline.csv</c> layout).</param>
/// <param name="LanguagePopulations">Per-language shares (<c>language,topic,pro_share</c> or the released <c>lnge_iso,question_key,pro_score</c>).</param>
/// <param name="CountryPopulations">Per-country shares (<c>country,topic,pro_share,language</c> or the released <c>cntry_an,question_key,pro_score,lnge_iso</c>).</param>
/// <param name="GlobalPopulation">Global shares (<c>topic,pro_share</c> or the released <c>question_key,pro_score</c>).</param>
/// <param name="Benchmarks">Capability scores (<c>model,benchmark,language,score,family</c>, score in percent).</param>
/// <param name="HumanReference">Human self-consistency per country (<c>cntry_AN,self_consistency</c>).</param>
/// <param name="Respondents">Per-respondent binarised answers (<c>country,topic,weight,is_pro</c>) for computing the human reference.</param>
public sealed record StudyInputFiles(
    string Responses,
    string? LanguagePopulations = null,
    string? CountryPopulations = null,
    string? GlobalPopulation = null,
    string? Benchmarks = null,
    string? HumanReference = null,
    string? Respondents = null);

/// <summary>
/// Reads the study's CSV files, in our column names or in the names of the authors' released
/// files. Every error names file:line:column and the column. Responses without a score (empty or
/// NaN: the judge found no pro or con opinion) are dropped, as the authors drop them, and counted in
/// a warning; a share or score outside [0, 1] is bad input.
/// </summary>
public static class StudyInputReader
{
    private static readonly StudyColumn Model = new("model", ["model", "model_name"]);
    private static readonly StudyColumn Family = new("family", ["family", "model_family"]);
    private static readonly StudyColumn Template = new("template", ["template", "template_type"]);
    private static readonly StudyColumn PromptLanguage = new("prompt_language", ["prompt_language", "language"]);
    private static readonly StudyColumn ResponseLanguage = new("response_language", ["response_language"]);
    private static readonly StudyColumn ResponseTopic = new("topic", ["topic", "question_key"]);
    private static readonly StudyColumn ProScore = new("pro_score", ["pro_score", "response_pro_score"]);

    private static readonly StudyColumn LanguagePopulation = new("language", ["language", "lnge_iso"]);
    private static readonly StudyColumn CountryPopulation = new("country", ["country", "cntry_an"]);
    private static readonly StudyColumn CountryLanguage = new("language", ["language", "lnge_iso"]);
    private static readonly StudyColumn PopulationTopic = new("topic", ["topic", "question_key"]);
    private static readonly StudyColumn ProShare = new("pro_share", ["pro_share", "pro_score"]);

    private static readonly StudyColumn BenchModel = new("model", ["model"]);
    private static readonly StudyColumn Benchmark = new("benchmark", ["benchmark"]);
    private static readonly StudyColumn BenchLanguage = new("language", ["language"]);
    private static readonly StudyColumn BenchScore = new("score", ["score"]);
    private static readonly StudyColumn BenchFamily = new("family", ["family"], Required: false);

    private static readonly StudyColumn HumanCountry = new("country", ["cntry_an", "country"]);
    private static readonly StudyColumn HumanValue = new("self_consistency", ["self_consistency"]);

    private static readonly StudyColumn RespondentCountry = new("country", ["country", "cntry_an"]);
    private static readonly StudyColumn RespondentTopic = new("topic", ["topic", "question_key"]);
    private static readonly StudyColumn RespondentWeight = new("weight", ["weight"]);
    private static readonly StudyColumn RespondentIsPro = new("is_pro", ["is_pro"]);

    /// <summary>Reads every file named in <paramref name="files"/>.</summary>
    /// <exception cref="InputException">A file is missing, malformed or holds a value out of range.</exception>
    public static StudyInputs Read(StudyInputFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var warnings = new List<string>();
        var responses = ReadResponses(files.Responses, warnings);
        var populations = new List<PopulationShare>();
        if (files.GlobalPopulation is { } global)
        {
            populations.AddRange(ReadGlobalPopulation(global, warnings));
        }
        if (files.LanguagePopulations is { } languages)
        {
            populations.AddRange(ReadLanguagePopulations(languages, warnings));
        }
        if (files.CountryPopulations is { } countries)
        {
            populations.AddRange(ReadCountryPopulations(countries, warnings));
        }
        var benchmarks = files.Benchmarks is { } b ? ReadBenchmarks(b, warnings) : [];
        var human = files.HumanReference is { } h ? ReadHumanReferences(h) : [];
        var respondents = files.Respondents is { } r ? ReadRespondents(r) : [];
        return new StudyInputs(responses, populations, benchmarks, human, respondents, warnings);
    }

    /// <summary>Reads judged responses; rows without a score are dropped and counted in <paramref name="warnings"/>.</summary>
    /// <exception cref="InputException">The file is missing, lacks a column, or a field is empty, not a number or outside [0, 1].</exception>
    public static IReadOnlyList<StudyResponse> ReadResponses(string path, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        const string Expected = "model,family,template,prompt_language,response_language,topic,pro_score (or the released model_name,model_family,template_type,language,response_language,question_key,response_pro_score)";
        using var csv = StudyCsv.Open(path, Expected, [Model, Family, Template, PromptLanguage, ResponseLanguage, ResponseTopic, ProScore]);
        var rows = new List<StudyResponse>();
        var withoutScore = 0;
        long firstWithout = 0;
        while (csv.Next())
        {
            var score = csv.OptionalNumber(ProScore);
            if (score is null)
            {
                // The judge found no pro or con opinion (or its answer could not be parsed): the authors drop the row.
                if (withoutScore++ == 0)
                {
                    firstWithout = csv.Line;
                }
                continue;
            }
            CheckUnit(csv, ProScore, score.Value);
            rows.Add(new StudyResponse(csv.Text(Model), csv.Text(Family), csv.Text(Template), csv.Text(PromptLanguage), csv.Text(ResponseLanguage), csv.Text(ResponseTopic), score.Value));
        }
        if (withoutScore > 0)
        {
            warnings.Add($"{csv.FileName}: {withoutScore} response row(s) without a pro score (empty or NaN, first at line {firstWithout}) dropped, as the authors drop them");
        }
        return rows;
    }

    /// <summary>Reads per-language population shares.</summary>
    /// <exception cref="InputException">The file is malformed, a share is outside [0, 1], or a (language, topic) repeats.</exception>
    public static IReadOnlyList<PopulationShare> ReadLanguagePopulations(string path, ICollection<string> warnings)
    {
        const string Expected = "language,topic,pro_share (or the released lnge_iso,question_key,pro_score)";
        using var csv = StudyCsv.Open(path, Expected, [LanguagePopulation, PopulationTopic, ProShare]);
        return ReadShares(csv, warnings, PopulationKind.Language, LanguagePopulation, language: null);
    }

    /// <summary>Reads per-country population shares with each country's language.</summary>
    /// <exception cref="InputException">The file is malformed, a share is outside [0, 1], a (country, topic) repeats, or a country has two languages.</exception>
    public static IReadOnlyList<PopulationShare> ReadCountryPopulations(string path, ICollection<string> warnings)
    {
        const string Expected = "country,topic,pro_share,language (or the released cntry_an,question_key,pro_score,lnge_iso)";
        using var csv = StudyCsv.Open(path, Expected, [CountryPopulation, PopulationTopic, ProShare, CountryLanguage]);
        return ReadShares(csv, warnings, PopulationKind.Country, CountryPopulation, CountryLanguage);
    }

    /// <summary>Reads the global population's shares (population name <c>global</c>).</summary>
    /// <exception cref="InputException">The file is malformed, a share is outside [0, 1], or a topic repeats.</exception>
    public static IReadOnlyList<PopulationShare> ReadGlobalPopulation(string path, ICollection<string> warnings)
    {
        const string Expected = "topic,pro_share (or the released question_key,pro_score)";
        using var csv = StudyCsv.Open(path, Expected, [PopulationTopic, ProShare]);
        return ReadShares(csv, warnings, PopulationKind.Global, population: null, language: null);
    }

    private static List<PopulationShare> ReadShares(StudyCsv csv, ICollection<string> warnings, PopulationKind kind, StudyColumn? population, StudyColumn? language)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var rows = new List<PopulationShare>();
        var seen = new Dictionary<(string, string), long>();
        var languageOf = new Dictionary<string, (string Language, long Line)>(StringComparer.Ordinal);
        var withoutShare = 0;
        while (csv.Next())
        {
            var name = population is null ? StudyAnalysis.GlobalPopulation : csv.Text(population);
            var topic = TopicKey.Normalize(csv.Text(PopulationTopic));
            string? lang = kind == PopulationKind.Language ? name : null;
            if (language is not null)
            {
                lang = csv.Text(language);
                if (languageOf.TryGetValue(name, out var earlier) && earlier.Language != lang)
                {
                    throw csv.Error(language, $"country {name} has language '{lang}' here but '{earlier.Language}' at line {earlier.Line} (expected one language per country)");
                }
                languageOf.TryAdd(name, (lang, csv.Line));
            }
            if (!seen.TryAdd((name, topic), csv.Line))
            {
                throw csv.Error(PopulationTopic, $"{name} has a second share for topic {topic} (first at line {seen[(name, topic)]}); expected one row per (population, topic)");
            }
            var share = csv.OptionalNumber(ProShare);
            if (share is null)
            {
                // Like a null on one side of a correlation: the pair drops out.
                withoutShare++;
                continue;
            }
            CheckUnit(csv, ProShare, share.Value);
            rows.Add(new PopulationShare(name, kind, topic, share.Value, lang));
        }
        if (withoutShare > 0)
        {
            warnings.Add($"{csv.FileName}: {withoutShare} {kind.WireName()} population row(s) without a share dropped");
        }
        return rows;
    }

    /// <summary>
    /// Reads capability scores. Language names (Danish, English, Dutch, Portuguese) become codes;
    /// rows without a score are dropped and counted in <paramref name="warnings"/>, as the authors drop null rows.
    /// </summary>
    /// <exception cref="InputException">The file is malformed, a score is not a number, or a language is neither a known name nor a code.</exception>
    public static IReadOnlyList<BenchmarkScore> ReadBenchmarks(string path, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        using var csv = StudyCsv.Open(path, BenchmarkHeader, BenchmarkColumns);
        return ReadBenchmarks(csv, warnings);
    }

    /// <summary>
    /// The capability table the paper used (the authors' released <c>multilingual_benchmarks.csv</c>, MIT; shipped as
    /// <c>data/capability/multilingual_benchmarks.csv</c> and built in).
    /// </summary>
    public static IReadOnlyList<BenchmarkScore> PaperBenchmarks(ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var stream = typeof(StudyInputReader).Assembly.GetManifestResourceStream(PaperBenchmarksResource)
            ?? throw new InvalidOperationException($"embedded resource {PaperBenchmarksResource} is missing from the build");
        using var csv = StudyCsv.Open(stream, "multilingual_benchmarks.csv (built in)", BenchmarkHeader, BenchmarkColumns);
        return ReadBenchmarks(csv, warnings);
    }

    private const string PaperBenchmarksResource = "CultureProbe.Data.study.multilingual_benchmarks.csv";
    private const string BenchmarkHeader = "model,benchmark,language,score[,family] (score in percent)";
    private static readonly StudyColumn[] BenchmarkColumns = [BenchModel, Benchmark, BenchLanguage, BenchScore, BenchFamily];

    private static List<BenchmarkScore> ReadBenchmarks(StudyCsv csv, ICollection<string> warnings)
    {
        var rows = new List<BenchmarkScore>();
        var withoutScore = 0;
        var seen = new Dictionary<(string, string, string), long>();
        while (csv.Next())
        {
            var score = csv.OptionalNumber(BenchScore);
            if (score is null)
            {
                withoutScore++;
                continue;
            }
            if (score < 0 || score > 100)
            {
                throw csv.Error(BenchScore, $"expected a score in percent (0 to 100), found {Format(score.Value)}");
            }
            var languageText = csv.Text(BenchLanguage);
            var code = StudyLanguages.CodeOf(languageText) ?? throw csv.Error(BenchLanguage,
                $"expected a language name ({string.Join(", ", StudyLanguages.Names.Values)}) or a two- or three-letter code, found '{languageText}'");
            var family = csv.Raw(BenchFamily);
            var model = csv.Text(BenchModel);
            var benchmark = csv.Text(Benchmark);
            // A repeated row would count twice in the model's mean capability.
            if (!seen.TryAdd((model, benchmark, code), csv.Line))
            {
                throw csv.Error(Benchmark, $"{model} has a second {benchmark} score in {languageText} (first at line {seen[(model, benchmark, code)]}); expected one row per (model, benchmark, language)");
            }
            rows.Add(new BenchmarkScore(model, benchmark, code, score.Value, family.Length == 0 ? null : family) { ModelSource = csv.Where(BenchModel) });
        }
        if (withoutScore > 0)
        {
            warnings.Add($"{csv.FileName}: {withoutScore} benchmark row(s) without a score dropped");
        }
        return rows;
    }

    /// <summary>
    /// Reads the country-cued design's capability table (<c>model,language,score</c>): one finite score per
    /// (model, language); the language as a code or an English name (Danish, Dutch, …), stored as its code.
    /// </summary>
    /// <exception cref="InputException">The file is missing, not UTF-8 or malformed, a score is empty or not a finite number, a language is neither a code nor a known name, or a (model, language) repeats; each names file:line:column.</exception>
    public static IReadOnlyDictionary<(string Model, string Language), double> ReadModelLanguageScores(string path)
    {
        const string Expected = "model,language,score";
        using var csv = StudyCsv.Open(path, Expected, [BenchModel, BenchLanguage, BenchScore]);
        var table = new Dictionary<(string Model, string Language), double>();
        var lines = new Dictionary<(string, string), long>();
        while (csv.Next())
        {
            var model = csv.Text(BenchModel);
            var languageText = csv.Text(BenchLanguage);
            var language = StudyLanguages.CodeOf(languageText) ?? throw csv.Error(BenchLanguage,
                $"expected a language code (da, en, nl, pt, …) or one of the names {string.Join(", ", StudyLanguages.Names.Values)}, found '{languageText}'");
            var score = csv.Number(BenchScore);
            if (!lines.TryAdd((model, language), csv.Line))
            {
                throw csv.Error(BenchLanguage, $"{model} has a second score for {language} (first at line {lines[(model, language)]}); expected one row per (model, language)");
            }
            table[(model, language)] = score;
        }
        return table;
    }

    /// <summary>Reads per-country human self-consistency (the released <c>gt_self_consistency.csv</c>).</summary>
    /// <exception cref="InputException">The file is malformed, a value is not a number in [-1, 1], or a country repeats.</exception>
    public static IReadOnlyList<HumanReference> ReadHumanReferences(string path)
    {
        const string Expected = "cntry_AN,self_consistency (or country,self_consistency)";
        using var csv = StudyCsv.Open(path, Expected, [HumanCountry, HumanValue]);
        var rows = new List<HumanReference>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (csv.Next())
        {
            var country = csv.Text(HumanCountry);
            var value = csv.Number(HumanValue);
            if (value < -1 || value > 1)
            {
                throw csv.Error(HumanValue, $"expected a correlation in [-1, 1], found {Format(value)}");
            }
            if (!seen.Add(country))
            {
                throw csv.Error(HumanCountry, $"country {country} appears twice (expected one row per country)");
            }
            rows.Add(new HumanReference(country, value));
        }
        return rows;
    }

    /// <summary>Reads per-respondent binarised answers (<c>is_pro</c> as 0/1 or true/false).</summary>
    /// <exception cref="InputException">The file is malformed, a weight is not positive, or <c>is_pro</c> is not 0, 1, true or false.</exception>
    public static IReadOnlyList<RespondentAnswer> ReadRespondents(string path)
    {
        const string Expected = "country,topic,weight,is_pro";
        using var csv = StudyCsv.Open(path, Expected, [RespondentCountry, RespondentTopic, RespondentWeight, RespondentIsPro]);
        var rows = new List<RespondentAnswer>();
        while (csv.Next())
        {
            var weight = csv.Number(RespondentWeight);
            if (!(weight > 0))
            {
                throw csv.Error(RespondentWeight, $"expected a positive weight, found {Format(weight)}");
            }
            var isPro = csv.Text(RespondentIsPro).ToLowerInvariant() switch
            {
                "1" or "true" => true,
                "0" or "false" => false,
                var other => throw csv.Error(RespondentIsPro, $"expected 0, 1, true or false, found '{other}'"),
            };
            rows.Add(new RespondentAnswer(csv.Text(RespondentCountry), csv.Text(RespondentTopic), weight, isPro));
        }
        return rows;
    }

    private static void CheckUnit(StudyCsv csv, StudyColumn column, double value)
    {
        if (value < 0 || value > 1)
        {
            throw csv.Error(column, $"expected a share in [0, 1], found {Format(value)}");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The study's languages: ISO 639-1 codes and the English names the formulas and the benchmark table use.</summary>
public static class StudyLanguages
{
    /// <summary>Code → English name, for the paper's four languages.</summary>
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["da"] = "Danish",
        ["en"] = "English",
        ["nl"] = "Dutch",
        ["pt"] = "Portuguese",
    };

    /// <summary>The English name of <paramref name="code"/>, or the code itself for a language the table does not name.</summary>
    public static string NameOf(string code) => Names.TryGetValue(code, out var name) ? name : code;

    /// <summary>The code of a language given by English name or by code; null when it is neither.</summary>
    public static string? CodeOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        foreach (var (code, name) in Names)
        {
            if (string.Equals(name, trimmed, StringComparison.OrdinalIgnoreCase) || string.Equals(code, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                return code;
            }
        }
        return trimmed.Length is 2 or 3 && trimmed.All(char.IsAsciiLetter) ? trimmed.ToLowerInvariant() : null;
    }
}
