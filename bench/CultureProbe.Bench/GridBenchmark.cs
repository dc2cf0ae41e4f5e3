using System.Diagnostics;
using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Llama;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Bench;

/// <summary>
/// The real job: <c>paper-12</c> × N synthetic countries, letter+text answers, Kim &amp; Baek's prompt, through the plan,
/// the runner and the SQLite store exactly as <c>run</c> does, on GGUF models that carry real tokenizers. Side by side in
/// one process: (a) CultureProbe; (b) naive per-option scoring as lm-evaluation-harness does it (one full pass per
/// context + answer), on a sample of the questions; (c) raw <c>llama_decode</c> throughput at batch 512 on the same model
/// and threads, the machine's limit. Reports tokens decoded per item, tokens/s, (a)/(c), the share of wall time inside
/// <c>llama_decode</c>, and the projected time of the paper's 209 × 55 grid.
/// Usage: <c>grid --model a.gguf [--model b.gguf] [--countries 10] [--naive-questions 6] [--questions paper-12] [--threads N]
/// [--group-cells N] [--coalesced N] [--no-naive] [--batch N] [--device cpu|cuda|vulkan]</c>.
/// </summary>
internal static class GridBenchmark
{
    private const int PaperItems = 209;
    private const int PaperCountries = 55;

    public static async Task<int> RunAsync(string[] args)
    {
        var models = Options(args, "--model");
        if (models.Count == 0)
        {
            Console.Error.WriteLine("grid: give at least one --model path.gguf (a model with a real tokenizer; see docs/llama-backend.md)");
            return 2;
        }
        var countryCount = Option(args, "--countries") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 10;
        var naiveQuestions = Option(args, "--naive-questions") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 6;
        var questionSet = Option(args, "--questions") ?? QuestionBank.Paper12SetName;
        var threads = Option(args, "--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : (int?)null;
        var batch = Option(args, "--batch") is { } b ? int.Parse(b, CultureInfo.InvariantCulture) : 512;
        var device = Option(args, "--device");
        var groupCells = Option(args, "--group-cells") is { } g ? int.Parse(g, CultureInfo.InvariantCulture) : new LlamaModelOptions().GroupCells;
        var coalesced = Option(args, "--coalesced") is { } q ? int.Parse(q, CultureInfo.InvariantCulture) : new LlamaModelOptions().CoalescedRequests;

        var bank = QuestionBankLoader.Default;
        var countries = CountryTable.Default.Select("USA,JPN,DEU,BRA,NGA,IND,MEX,EGY,SWE,IDN,ARG,CHN,TUR,KEN,AUS,CAN,PER,PAK,GRC,KOR").Take(countryCount).ToArray();
        var temp = Path.Combine(Path.GetTempPath(), "cultureprobe-grid-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        try
        {
            var csv = Path.Combine(temp, "grid.synthetic.csv");
            new SyntheticSurveyGenerator(bank, CountryTable.Default).Write(csv, new SyntheticSurveyOptions(countries.Select(x => x.Iso3).ToArray(), RowsPerCountry: 200));
            var pack = new WvsCsvImporter(bank, CountryTable.Default).Import(csv, new WvsImportOptions());
            var questions = bank.Select(questionSet).Where(q => q.IsOrdinal).ToArray();
            var spec = new ProbeSpec(questions, countries, PromptTemplateSet.BuiltIn().Default("en"), AnswerFormat.LetterAndText);
            Console.WriteLine($"grid: {questions.Length} questions ({questionSet}) × {countries.Length} synthetic countries, letter+text answers, Kim & Baek's prompt; {Environment.ProcessorCount} logical cores");
            Console.WriteLine($"load average before the run: {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine();
            Console.WriteLine("| model | mode | items | tokens decoded/item | tokens/s | items/s | wall s | in llama_decode | (a)/(c) tokens/s | projected 209 × 55 |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var path in models)
            {
                await RunModelAsync(path, pack, spec, naiveQuestions, threads, batch, device, temp, groupCells, coalesced, skipNaive: args.Contains("--no-naive")).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
        return 0;
    }

    private static async Task RunModelAsync(string path, SurveyPack pack, ProbeSpec spec, int naiveQuestions, int? threads, int batch, string? device, string temp, int groupCells, int coalesced, bool skipNaive)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var options = new LlamaModelOptions { Threads = threads, BatchSize = batch, ContextSize = 4096, F32KvCache = true, GroupCells = groupCells, CoalescedRequests = coalesced,
            Device = device is null ? LlamaDevice.Cpu : WireNames.TryParse<LlamaDevice>(device, out var chosen) ? chosen : throw new ArgumentException($"--device: expected {string.Join(", ", WireNames.All<LlamaDevice>())}, found '{device}'") };
        // On a GPU every layer is offloaded: the device's default when GpuLayers is not set.
        Console.WriteLine($"| {name} | settings: group_cells {groupCells}, coalesced_requests {coalesced}, batch {batch} | | | | | | | | |");
        await using var model = await LlamaModel.OpenAsync(path, options).ConfigureAwait(false);

        // (c) the limit: one long context in full batches, one output row.
        var raw = await RawDecodeAsync(model, batch).ConfigureAwait(false);

        // (a) CultureProbe, through the plan, the runner and the store.
        var store = Path.Combine(temp, $"{name}.db");
        var (items, tokens, wall, decode, projected, paperPerItem) = await ProbeAsync(model, pack, spec, store).ConfigureAwait(false);
        Row(name, "(a) CultureProbe", items, tokens, wall, decode, raw.TokensPerSecond, projected);

        if (skipNaive)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | (c) raw llama_decode, batch {batch} | | | {raw.TokensPerSecond:F0} | | {raw.Wall:F2} | {raw.DecodeShare:P0} | 100% | |"));
            return;
        }

        // (b) naive: a sample of the questions, every context + answer decoded from scratch.
        await using var naive = await LlamaModel.OpenAsync(path, options with { Naive = true }).ConfigureAwait(false);
        var sample = spec with { Questions = spec.Questions.Where((_, i) => i % Math.Max(1, spec.Questions.Count / naiveQuestions) == 0).Take(naiveQuestions).ToArray() };
        var (naiveItems, naiveTokens, naiveWall, naiveDecode, _, _) = await ProbeAsync(naive, pack, sample, Path.Combine(temp, $"{name}.naive.db")).ConfigureAwait(false);
        var naivePerItem = naiveWall / naiveItems;
        Row(name, $"(b) naive ({sample.Questions.Count} questions)", naiveItems, naiveTokens, naiveWall, naiveDecode, raw.TokensPerSecond,
            TimeSpan.FromSeconds(naivePerItem * PaperItems * PaperCountries));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | (c) raw llama_decode, batch {batch} | | | {raw.TokensPerSecond:F0} | | {raw.Wall:F2} | {raw.DecodeShare:P0} | 100% | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | decoded tokens, naive ÷ CultureProbe | | **{(double)naiveTokens / naiveItems / ((double)tokens / items):F1}x** ({spec.Countries.Count} countries); projected at {PaperCountries}: **{(double)naiveTokens / naiveItems / paperPerItem:F1}x** ({paperPerItem:F1} tokens/item) | | | | | | |"));
    }

    private static void Row(string model, string mode, long items, long tokens, double wall, double decode, double rawTokensPerSecond, TimeSpan projected) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {mode} | {items} | {(double)tokens / items:F1} | {tokens / wall:F0} | {items / wall:F2} | {wall:F1} | {decode / wall:P0} | {tokens / wall / rawTokensPerSecond:P0} | {projected:hh\\:mm\\:ss} |"));

    /// <summary>Runs a spec through plan, runner, store and results builder; returns items, tokens decoded, wall and decode seconds, and the projected paper grid.</summary>
    private static async Task<(long Items, long Tokens, double Wall, double Decode, TimeSpan Projected, double PaperTokensPerItem)> ProbeAsync(LlamaModel model, SurveyPack pack, ProbeSpec spec, string storePath)
    {
        var planned = PlannedModel.Of(new ModelInfo(model.Identity.Name, model.Identity.Source, model.Identity.Sha256, "llama", model.Method, false), model);
        var plan = ProbePlan.Create(spec, new SurveyIndex(pack)).With(planned);
        using var store = ResultStore.Open(storePath);
        model.ResetStatistics();
        var started = Stopwatch.GetTimestamp();
        // As ProbeService does: as many items in flight as the model asks for, so that its coalescing queue fills.
        var summary = await new ProbeRunner(store).RunAsync(plan, planned, model, new ProbeRunOptions(Math.Max(1, model.PreferredParallelism))).ConfigureAwait(false);
        _ = ResultsBuilder.Build(plan, store, new ResultsSettings(CountryTable.Default, QuestionBankLoader.Default, pack.Provenance, LikelihoodNormalization.None,
            new AlignmentOptions(0), DateTimeOffset.UtcNow), out _);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var stats = model.Statistics;
        if (summary.Failed > 0)
        {
            Console.WriteLine($"  ({summary.Failed} items failed: {string.Join("; ", summary.FailureReasons.Select(r => r.Reason))})");
        }
        // Projection: each question's prefix is decoded once whatever the countries, each branch once per country. Split the
        // measured tokens into the two parts from the prompts' token counts and scale the branch part to 55 countries.
        var prefixTokens = plan.Trees.Sum(tree => (long)model.Tokenize(tree.Prompts.Prefix).Length);
        var branchTokens = Math.Max(0, stats.TokensDecoded - prefixTokens);
        var perQuestionPrefix = (double)prefixTokens / plan.Trees.Count;
        var perBranch = (double)branchTokens / Math.Max(1, summary.Total);
        var paperTokens = PaperItems * (perQuestionPrefix + (PaperCountries * perBranch));
        var tokensPerSecond = stats.TokensDecoded / wall;
        return (summary.Total, stats.TokensDecoded, wall, stats.DecodeTime.TotalSeconds, TimeSpan.FromSeconds(paperTokens / tokensPerSecond), paperTokens / (PaperItems * PaperCountries));
    }

    private sealed record RawDecode(double TokensPerSecond, double Wall, double DecodeShare);

    private static async Task<RawDecode> RawDecodeAsync(LlamaModel model, int batch)
    {
        // A context of about 3 batches of text, scored as one continuation: the decoder sees full batches with one output row.
        var text = string.Concat(Enumerable.Repeat("How important is family in your life? Would you say it is very important, rather important, not very important or not at all important? ", 40));
        var tokens = model.Tokenize(text);
        var take = Math.Min(tokens.Length, Math.Min(model.ContextSize - 8, 3 * batch));
        var request = OptionRequest.Single(text[..(text.Length * take / tokens.Length)], [" Very important"]);
        await model.ScoreAsync(request).ConfigureAwait(false); // warm-up
        var runs = new List<RawDecode>();
        for (var i = 0; i < 3; i++)
        {
            model.ResetStatistics();
            var started = Stopwatch.GetTimestamp();
            await model.ScoreAsync(request).ConfigureAwait(false);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var stats = model.Statistics;
            runs.Add(new RawDecode(stats.TokensDecoded / stats.DecodeTime.TotalSeconds, wall, stats.DecodeTime.TotalSeconds / wall));
        }
        return runs.OrderBy(r => r.TokensPerSecond).ElementAt(1);
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static List<string> Options(string[] args, string name) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();
}
