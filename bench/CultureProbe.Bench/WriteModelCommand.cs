using System.Diagnostics;
using System.Globalization;
using CultureProbe.Llama;
using CultureProbe.Llama.Gguf;
using CultureProbe.Models;

namespace CultureProbe.Bench;

/// <summary>
/// Writes a random-weight GGUF of a real model's shape carrying one of the four real tokenizers (fetched by the build into
/// <c>.cache/tokenizers</c>), for benchmarks: <c>write-model --shape smollm2-135m --tokenizer llama3 --type q8_0 --out x.gguf</c>,
/// then <c>llama --model x.gguf</c>. Shapes: smollm2-135m, qwen2.5-0.5b, llama2-7b (about 7 GB in Q8_0: for a GPU machine),
/// minimal. Tokenizers: llama2 (Mistral's SentencePiece), llama3, qwen3, gemma3. Types: f32, f16, q8_0.
/// Options: <c>--layers N</c> (fewer blocks of the same shapes), <c>--seed N</c>, <c>--check</c> (load it with llama.cpp,
/// tokenize and score one prompt).
/// </summary>
internal static class WriteModelCommand
{
    private const string Usage =
        "usage: write-model --shape smollm2-135m|qwen2.5-0.5b|llama2-7b|minimal --tokenizer llama2|llama3|qwen3|gemma3 " +
        "[--type f16|q8_0|f32] --out FILE.gguf [--layers N] [--seed N] [--check]";

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await WriteAsync(args).ConfigureAwait(false);
        }
        catch (InputException ex)
        {
            Console.Error.WriteLine($"write-model: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static async Task<int> WriteAsync(string[] args)
    {
        var shape = ModelShape.Named(Option(args, "--shape") ?? throw new InputException("--shape is required"));
        var family = (Option(args, "--tokenizer") ?? throw new InputException("--tokenizer is required")).ToLowerInvariant();
        var package = TokenizerPackage.All.FirstOrDefault(p => p.Family == family || (family == "mistral" && p == TokenizerPackage.Mistral))
            ?? throw new InputException($"unknown tokenizer '{family}'; known: {string.Join(", ", TokenizerPackage.All.Select(p => p.Family))}");
        var type = (Option(args, "--type") ?? "f16").ToLowerInvariant() switch
        {
            "f16" => GgmlTensorType.F16,
            "q8_0" or "q8" => GgmlTensorType.Q8_0,
            "f32" => GgmlTensorType.F32,
            var other => throw new InputException($"unknown --type '{other}'; use f16, q8_0 or f32"),
        };
        var output = Option(args, "--out") ?? throw new InputException("--out is required");
        if (Option(args, "--layers") is { } layers)
        {
            shape = shape.WithLayers(int.Parse(layers, CultureInfo.InvariantCulture));
        }
        var seed = Option(args, "--seed") is { } s ? ulong.Parse(s, CultureInfo.InvariantCulture) : 1UL;
        var cache = TokenizerPackage.FindCache(AppContext.BaseDirectory)
            ?? throw new InputException($"no CultureProbe.slnx above {AppContext.BaseDirectory}: run from the repository's build output");

        var started = Stopwatch.GetTimestamp();
        var vocabulary = package.Vocabulary(cache);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tokenizer {package.NpmPackage}: {package.Description}; GGUF tokenizer '{vocabulary.Model}', pre '{vocabulary.PreTokenizer}', {vocabulary.Tokens.Count} tokens, BOS {vocabulary.BosTokenId?.ToString(CultureInfo.InvariantCulture) ?? "none"} {(vocabulary.AddBos ? "added" : "not added")}, chat template {(vocabulary.ChatTemplate is null ? "none" : "yes")}"));
        foreach (var caveat in vocabulary.Caveats)
        {
            Console.WriteLine($"  note: {caveat}");
        }
        var parameters = shape.ParameterCount(vocabulary.Tokens.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"shape {shape.Name}: {shape.Architecture}, {shape.LayerCount} blocks, {shape.EmbeddingLength} wide, {parameters:N0} parameters, {type}, seed {seed}"));
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        await Task.Run(() => RandomModelWriter.Write(output, shape, vocabulary, type, seed)).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.GetFullPath(output)}: {new FileInfo(output).Length / 1e6:F1} MB in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

        if (args.Contains("--check"))
        {
            await using var model = await LlamaModel.OpenAsync(output, new LlamaModelOptions { ContextSize = 512 }).ConfigureAwait(false);
            const string Prompt = "Question: How important is family in your life?\nAnswer:";
            var result = await model.ScoreAsync(OptionRequest.Single(Prompt, [" Very important", " Not at all important"])).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"llama.cpp {LlamaRuntime.Version} loads it: {model.Identity.Properties["parameters"]} parameters, {model.VocabularySize} tokens; " +
                $"the prompt is {model.Tokenize(Prompt).Length} tokens; log-probabilities {string.Join(", ", result.Branches[0].Select(c => c.Sum.ToString("F2", CultureInfo.InvariantCulture)))}"));
        }
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
