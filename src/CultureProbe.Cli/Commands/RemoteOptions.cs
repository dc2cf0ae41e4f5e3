using System.CommandLine;
using System.Globalization;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Remote;

namespace CultureProbe.Cli.Commands;

/// <summary>The options that point <c>run</c> and <c>score</c> at servers instead of a local GGUF file.</summary>
internal sealed class RemoteOptions
{
    public const string LocalBackend = "llama";

    public Option<string> Backend { get; } = new("--backend")
    {
        Description = "llama (a local GGUF file, default), or a server: openai-completions, vllm, tgi, sglang, chat-logprobs, chat-sample. With a server, --model is the served model's name.",
        DefaultValueFactory = _ => LocalBackend,
    };

    public Option<string[]> Endpoints { get; } = new("--endpoint") { Description = "Base URL of a server (repeat to share the work across a fleet).", AllowMultipleArgumentsPerToken = false };

    public Option<string?> ApiKeyVariable { get; } = new("--api-key-env") { Description = "Name of the environment variable holding the API key (the key itself is never logged)." };

    public Option<int> MaxInFlight { get; } = new("--max-in-flight") { Description = "Requests in flight at once, over all endpoints.", DefaultValueFactory = _ => 16 };

    public Option<int> RequestBatch { get; } = new("--request-batch") { Description = "Prompts per request where the server takes a prompt array.", DefaultValueFactory = _ => 8 };

    public Option<int> TopLogProbs { get; } = new("--top-logprobs") { Description = "chat-logprobs: top log-probs of the first answer token.", DefaultValueFactory = _ => 20 };

    public Option<int> Samples { get; } = new("--samples") { Description = "chat-sample: replies sampled per prompt.", DefaultValueFactory = _ => 20 };

    public Option<double> Temperature { get; } = new("--temperature") { Description = "chat-sample: sampling temperature.", DefaultValueFactory = _ => 1.0 };

    public Option<long> SampleSeed { get; } = new("--sample-seed") { Description = "chat-sample: seed sent to the server; stored with every sampled result.", DefaultValueFactory = _ => 1 };

    public Option<string?> Prices { get; } = new("--prices") { Description = "Prices per million prompt and completion tokens for a cost estimate, e.g. 0.5,1.5." };

    public Option<int> Retries { get; } = new("--retries") { Description = "Retries of a failing request (429, 5xx, timeouts, broken connections) before the item is recorded as failed.", DefaultValueFactory = _ => 6 };

    public Option<int> TimeoutSeconds { get; } = new("--timeout") { Description = "Seconds before a request counts as timed out.", DefaultValueFactory = _ => 120 };

    public IEnumerable<Option> All => [Backend, Endpoints, ApiKeyVariable, MaxInFlight, RequestBatch, TopLogProbs, Samples, Temperature, SampleSeed, Prices, Retries, TimeoutSeconds];

    public RemoteOptions() => Backend.AcceptOnlyFromAmong([LocalBackend, .. RemoteModelFactory.Backends, "vllm-prompt-logprobs"]);

    public bool IsRemote(ParseResult parse) => parse.GetValue(Backend) != LocalBackend;

    /// <summary>The remote model for <paramref name="modelName"/>; bad input when no endpoint is given.</summary>
    public IRemoteLanguageModel Create(ParseResult parse, string modelName)
    {
        var endpoints = parse.GetValue(Endpoints) ?? [];
        if (endpoints.Length == 0)
        {
            throw new InputException($"--backend {parse.GetValue(Backend)}: give the server with --endpoint URL (repeat for several)");
        }
        var uris = endpoints.Select(e => Uri.TryCreate(e, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InputException($"--endpoint: expected an http(s) URL, found '{e}'")).ToArray();
        return RemoteModelFactory.Create(new RemoteModelOptions(parse.GetValue(Backend)!, uris, modelName)
        {
            ApiKeyVariable = parse.GetValue(ApiKeyVariable),
            MaxInFlight = parse.GetValue(MaxInFlight),
            BatchSize = parse.GetValue(RequestBatch),
            TopLogProbs = parse.GetValue(TopLogProbs),
            Samples = parse.GetValue(Samples),
            Temperature = parse.GetValue(Temperature),
            Seed = parse.GetValue(SampleSeed),
            Retries = parse.GetValue(Retries),
            Timeout = TimeSpan.FromSeconds(parse.GetValue(TimeoutSeconds)),
            Prices = ParsePrices(parse.GetValue(Prices)),
        });
    }

    /// <summary>
    /// A served model as a run sees it: its id (given, else the served name), card facts, and the
    /// backend's scorer options, which go into every item's key.
    /// </summary>
    public ProbeModel ProbeModelFor(ParseResult parse, IRemoteLanguageModel served, string servedName, string? id, IReadOnlyList<ModelCard> cards)
    {
        var modelId = id ?? servedName;
        var card = cards.FirstOrDefault(c => c.Id.Equals(modelId, StringComparison.OrdinalIgnoreCase));
        var info = new ModelInfo(modelId, $"{servedName} at {string.Join(", ", parse.GetValue(Endpoints) ?? [])}", null, served.Identity.Backend, served.Method,
            served.Method is ScoringMethod.ChatTopLogProbs or ScoringMethod.ChatSampling,
            card?.Family, card?.ParametersBillions, card?.Chat, card?.TrainingTokensTrillions, card?.Corpus.Notes, card?.BaseModel);
        return new ProbeModel(info, served, served.ScorerOptions);
    }

    /// <summary>A spec with as many questions in flight as the servers take requests.</summary>
    public ProbeSpec ForServers(ParseResult parse, ProbeSpec spec) => spec with { Parallelism = Math.Max(1, parse.GetValue(MaxInFlight)) };

    private static RemotePrices? ParsePrices(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var parts = text.Split(',');
        return parts.Length == 2
            && decimal.TryParse(parts[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var prompt)
            && decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var completion)
            && prompt >= 0 && completion >= 0
                ? new RemotePrices(prompt, completion)
                : throw new InputException($"--prices: expected two non-negative numbers per million tokens, prompt,completion (e.g. 0.5,1.5), found '{text}'");
    }
}
