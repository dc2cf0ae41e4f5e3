using System.CommandLine;
using CultureProbe.Study;

namespace CultureProbe.Cli.Commands;

/// <summary>
/// <c>cultureprobe study</c>: the multilingual study. The default design is Rystrøm, Kirk &amp; Hale's (free-text
/// answers to prompts that name no country, a judge, Spearman over responses); <c>--design country-cued</c> is
/// CultureProbe's likelihood-scored extension, in which each language asks about its country.
/// </summary>
internal static partial class StudyCommand
{
    /// <summary>The options of both designs; each design checks the ones it needs.</summary>
    internal sealed class StudyOptions
    {
        public Option<string> Design { get; } = new("--design") { Description = "paper (default): Rystrøm, Kirk & Hale's design, free text and a judge, no country named; country-cued: CultureProbe's extension, option likelihoods with the country named.", DefaultValueFactory = _ => "paper" };

        // Both designs.
        public Option<string[]> Models { get; } = new("--model") { Description = "GGUF model file, or with --backend the served model's name (repeat for several).", AllowMultipleArgumentsPerToken = false };
        public Option<string[]> ModelIds { get; } = new("--model-id") { Description = "Id of each --model, in the same order (default: the file name, or the served name).", AllowMultipleArgumentsPerToken = false };
        public ModelOptions Model { get; } = new();
        public Option<DirectoryInfo?> Cards { get; } = new("--cards") { Description = "Model cards (the family of each model for the regressions), matched by model id." };
        public Option<string?> Languages { get; } = new("--languages") { Description = "paper: prompt languages (default da,en,nl,pt). country-cued: languages each asked about its country (default da,nl,pt,en: da=DNK, nl=NLD, pt=PRT, en=USA; override with lang=ISO3)." };
        public Option<string?> Capability { get; } = new("--capability") { Description = "Multilingual capability: paper: the released multilingual_benchmarks.csv layout (model,benchmark,language,score,family); default the shipped table the paper used; 'none' to skip. country-cued: CSV model,language,score." };
        public Option<DirectoryInfo> Output { get; } = new("--out") { Description = "Folder for the study's tables, JSON and report.", Required = true };
        public Option<FileInfo?> Cache { get; } = new("--cache") { Description = "Result store to share (default: results.db in --out); responses and judgements are kept there, so a rerun only does what is missing." };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the bootstrap rounds (and of the baselines' random scores).", DefaultValueFactory = _ => 0 };

        // country-cued.
        public Option<FileInfo[]> Packs { get; } = new("--pack") { Description = "country-cued: survey pack(s); repeat to combine, e.g. WVS-7 and the joint EVS/WVS file. A country is taken from the first pack that has it.", AllowMultipleArgumentsPerToken = false };
        public Option<string> Templates { get; } = new("--templates") { Description = "country-cued: templates, all or comma-separated ids.", DefaultValueFactory = _ => "all" };
        public Option<string> Questions { get; } = new("--questions") { Description = "country-cued: question set or codes (nominal items are left out).", DefaultValueFactory = _ => Surveys.QuestionBank.Paper12SetName };
        public Option<string> AnswerFormat { get; } = new("--answer-format") { Description = "country-cued: letter+text, text or letter.", DefaultValueFactory = _ => "letter+text" };

        // paper: inputs.
        public Option<FileInfo?> Responses { get; } = new("--responses") { Description = "paper: judged responses to analyse without running a model (ours: model,family,template,prompt_language,response_language,topic,pro_score; or the released file's columns)." };
        public Option<FileInfo?> Survey { get; } = new("--survey") { Description = "paper: the joint EVS/WVS microdata CSV (cntry_AN, lnge_iso, gwght, pwght and the topics' columns); populations are computed from it." };
        public Option<FileInfo?> SurveyByLanguage { get; } = new("--survey-by-language") { Description = "paper: population shares per language (language,topic,pro_share; or lnge_iso,question_key,pro_score)." };
        public Option<FileInfo?> SurveyByCountry { get; } = new("--survey-by-country") { Description = "paper: population shares per country (country,topic,pro_share,language; or cntry_an,question_key,pro_score,lnge_iso)." };
        public Option<FileInfo?> SurveyGlobal { get; } = new("--survey-global") { Description = "paper: shares of all respondents (topic,pro_share; or question_key,pro_score)." };
        public Option<FileInfo?> HumanConsistency { get; } = new("--human-consistency") { Description = "paper: human self-consistency per country (the released gt_self_consistency.csv); with --survey it is computed from the microdata instead." };
        public Option<string[]> Pool { get; } = new("--pool") { Description = "paper, with --survey: a language's population as the union of countries, e.g. pt=BR,PT (repeat). Default: everyone interviewed in the language, as the paper.", AllowMultipleArgumentsPerToken = false };
        public Option<string> Weights { get; } = new("--weights") { Description = "paper, with --survey: weight columns multiplied, or none.", DefaultValueFactory = _ => "gwght,pwght" };
        public Option<string> ReferenceCountry { get; } = new("--reference-country") { Description = "paper: the country every language's own countries are contrasted with in the US-centric bias (as the survey file writes it).", DefaultValueFactory = _ => "US" };
        public Option<string?> TemplateType { get; } = new("--template-type") { Description = "paper: template type of the released prompts to run (default survey_hypothetical), and of responses to analyse (default: every row)." };
        public Option<int> Bootstrap { get; } = new Option<int>("--bootstrap") { Description = "paper: bootstrap rounds (0: point values only).", DefaultValueFactory = _ => 100 }.NonNegative(100_000);

        // paper: generation and judging.
        public Option<FileInfo?> Prompts { get; } = new("--prompts") { Description = "paper: the authors' released prompt file (language,template_type,prompt,topic,question_key) instead of CultureProbe's templates." };
        public Option<int> PromptsPerLanguage { get; } = new("--prompts-per-language") { Description = "paper: prompts drawn from the shipped templates × topics × paraphrases, the same in every language.", DefaultValueFactory = _ => 300 };
        public Option<int> PromptSeed { get; } = new("--prompt-seed") { Description = "paper: seed of the prompts' draw.", DefaultValueFactory = _ => 1 };
        public Option<int> SamplesPerPrompt { get; } = new("--samples-per-prompt") { Description = "paper: responses per prompt and model.", DefaultValueFactory = _ => 1 };
        public Option<double> ResponseTemperature { get; } = new("--response-temperature") { Description = "paper: sampling temperature of responses (the paper's 0.7).", DefaultValueFactory = _ => 0.7 };
        public Option<double> ResponseTopP { get; } = new("--response-top-p") { Description = "paper: nucleus sampling of responses (the paper's 0.95).", DefaultValueFactory = _ => 0.95 };
        public Option<int> ResponseMaxTokens { get; } = new("--response-max-tokens") { Description = "paper: longest response in tokens (the paper's 600).", DefaultValueFactory = _ => 600 };
        public Option<long> ResponseSeed { get; } = new("--response-seed") { Description = "paper: seed of sample 0 of each prompt; sample j uses seed + j.", DefaultValueFactory = _ => 1 };
        public Option<string[]> ResponseStop { get; } = new("--response-stop") { Description = "paper: strings that end a response (default '11.', which cuts a runaway eleventh interview, as the paper); 'none' for none. Repeat for several.", AllowMultipleArgumentsPerToken = false };
        public Option<string?> Judge { get; } = new("--judge") { Description = "paper: the judge model: a GGUF file, or with --judge-backend the served model's name." };
        public Option<string?> JudgeBackend { get; } = new("--judge-backend") { Description = "paper: the judge's backend (default: --backend)." };
        public Option<string[]> JudgeEndpoints { get; } = new("--judge-endpoint") { Description = "paper: the judge's server(s) (default: --endpoint).", AllowMultipleArgumentsPerToken = false };
        public Option<string?> JudgeApiKeyVariable { get; } = new("--judge-api-key-env") { Description = "paper: environment variable with the judge's API key (default: --api-key-env)." };
        public Option<string?> JudgeDeployment { get; } = new("--judge-deployment") { Description = "paper: a name for what serves the judge (as --deployment): reruns against other servers of the same name reuse its judgements." };
        public Option<string?> JudgeId { get; } = new("--judge-id") { Description = "paper: the judge's id in the tables (default: the file or served name)." };
        public Option<bool> JudgeGrammar { get; } = new("--judge-grammar") { Description = "paper: hold the judge's replies to the expected form with a grammar, so a small local judge always gives readable labels (llama backend only)." };
        public Option<FileInfo?> JudgeCheck { get; } = new("--judge-check") { Description = "paper: opinions labelled by people (topic,text,label); the judge labels them too, and its measured error rate corrects self-consistency." };
        public Option<double?> JudgeError { get; } = new("--judge-error") { Description = "paper: the judge's error rate for the consistency correction when no --judge-check is given (default the paper's 0.045)." };

        public IEnumerable<Option> All =>
        [
            Design, Models, ModelIds, Cards, Languages, Capability, Output, Cache, Seed,
            Packs, Templates, Questions, AnswerFormat,
            Responses, Survey, SurveyByLanguage, SurveyByCountry, SurveyGlobal, HumanConsistency, Pool, Weights, ReferenceCountry, TemplateType, Bootstrap,
            Prompts, PromptsPerLanguage, PromptSeed, SamplesPerPrompt, ResponseTemperature, ResponseTopP, ResponseMaxTokens, ResponseSeed, ResponseStop,
            Judge, JudgeBackend, JudgeEndpoints, JudgeApiKeyVariable, JudgeDeployment, JudgeId, JudgeGrammar, JudgeCheck, JudgeError,
            .. Model.All,
        ];
    }

    public static Command Create()
    {
        var options = new StudyOptions();
        var command = new Command("study", "The multilingual study. Default (--design paper): Rystrøm, Kirk & Hale's design: models write free-text answers to prompts in da, en, nl and pt that name no country, a judge labels each opinion pro or con, and alignment is Spearman over responses against the population interviewed in that language; with self-consistency, US-centric bias and the capability regressions. --responses analyses judged responses without a model. --design country-cued: CultureProbe's likelihood-scored variant that names the country.");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) => parse.GetValue(options.Design)!.Trim().ToLowerInvariant() switch
        {
            "paper" => await RunPaperAsync(parse, options, cancellationToken).ConfigureAwait(false),
            "country-cued" => await RunCountryCuedAsync(parse, options, cancellationToken).ConfigureAwait(false),
            var other => throw new InputException($"--design: expected paper or country-cued, found '{other}'"),
        });
        return command;
    }
}
