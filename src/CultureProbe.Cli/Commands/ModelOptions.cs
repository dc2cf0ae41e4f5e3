using System.CommandLine;
using System.Globalization;
using CultureProbe.Backends;
using CultureProbe.Llama;
using CultureProbe.Remote;

namespace CultureProbe.Cli.Commands;

/// <summary>
/// The options that say which models to open and how: the backend, its settings, and for servers the endpoints.
/// Every setting a backend library has can be set here; <see cref="FlagOf"/> maps a setting's name (as library
/// errors give it) back to its flag.
/// </summary>
internal sealed class ModelOptions
{
    private const string LocalBackend = "llama";

    /// <summary>Setting name → flag, for the messages of library errors.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["backend"] = "--backend",
        ["model"] = "--model",
        ["model_id"] = "--model-id",
        ["normalisation"] = "--normalisation",
        ["questions"] = "--questions",
        ["countries"] = "--countries",
        ["endpoint"] = "--endpoint",
        ["api_key_env"] = "--api-key-env",
        ["deployment"] = "--deployment",
        ["max_in_flight"] = "--max-in-flight",
        ["prompts_per_request"] = "--request-batch",
        ["top_logprobs"] = "--top-logprobs",
        ["samples"] = "--samples",
        ["samples_per_request"] = "--samples-per-request",
        ["temperature"] = "--temperature",
        ["seed"] = "--sample-seed",
        ["max_answer_tokens"] = "--max-answer-tokens",
        ["system_prompt"] = "--system-prompt",
        ["prices"] = "--prices",
        ["retries"] = "--retries",
        ["timeout"] = "--timeout",
        ["retry_base_delay"] = "--retry-delay",
        ["max_retry_delay"] = "--max-retry-delay",
        ["circuit_breaker_failures"] = "--circuit-failures",
        ["circuit_break_duration"] = "--circuit-break",
        ["threads"] = "--threads",
        ["context_size"] = "--context-size",
        ["batch_size"] = "--batch-size",
        ["gpu_layers"] = "--gpu-layers",
        ["device"] = "--device",
        ["parallel_sequences"] = "--parallel-sequences",
        ["option_orders"] = "--option-orders",
    };

    public Option<string> Backend { get; } = new("--backend")
    {
        Description = $"How to run the model: {string.Join("; ", CultureProbe.Cli.Backends.Registry.Backends.Select(b => $"{b.Name} ({b.Description})"))}. With a server, --model is the served model's name.",
        DefaultValueFactory = _ => LocalBackend,
    };

    // Local (llama) settings.
    public Option<int?> Threads { get; } = new("--threads") { Description = $"CPU threads, 1 to {Environment.ProcessorCount} (default: physical cores)." };

    public Option<int?> ContextSize { get; } = new("--context-size") { Description = "Context length in tokens (default: the model's, at most 4096)." };

    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Tokens per llama_decode call (local models).", DefaultValueFactory = _ => 512 };

    public Option<bool> F16Kv { get; } = new("--f16-kv") { Description = "Use llama.cpp's F16 KV cache (faster, about 0.04 nats less exact) instead of F32." };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "Local models: where llama.cpp runs, cpu, cuda or vulkan. Each is a prebuilt llama.cpp of the same release; "
            + "a GPU build is downloaded with npm on first use (CUDA 143 MB, Vulkan 24 MB) and needs the GPU's driver (see docs/llama-backend.md).",
        DefaultValueFactory = _ => "cpu",
    };

    public Option<int?> GpuLayers { get; } = new("--gpu-layers") { Description = "Local models on a GPU (--device cuda or vulkan): layers to offload (default: all)." };

    public Option<bool> Chat { get; } = new("--chat") { Description = "Local models: put each prompt through the model's chat template (user turn; the answer starts the assistant turn)." };

    // Server settings.
    public Option<string[]> Endpoints { get; } = new("--endpoint") { Description = "Base URL of a server (repeat to share the work across a fleet).", AllowMultipleArgumentsPerToken = false };

    public Option<string?> Deployment { get; } = new("--deployment") { Description = "A name for what serves the model (e.g. lab-q8). Runs against any endpoints with the same name share cached results; without it, only runs against the same endpoints do. Give servers that may differ (quantisation, version) different names." };

    public Option<string?> ApiKeyVariable { get; } = new("--api-key-env") { Description = "Name of the environment variable holding the API key (the key itself is never logged)." };

    public Option<int> MaxInFlight { get; } = new("--max-in-flight") { Description = "Requests in flight at once, over all endpoints.", DefaultValueFactory = _ => 16 };

    public Option<int> RequestBatch { get; } = new("--request-batch") { Description = "Prompts per request where the server takes a prompt array.", DefaultValueFactory = _ => 8 };

    public Option<int> TopLogProbs { get; } = new("--top-logprobs") { Description = "chat-logprobs: top log-probs of the first answer token.", DefaultValueFactory = _ => 20 };

    public Option<int> Samples { get; } = new("--samples") { Description = "chat-sample: replies sampled per prompt.", DefaultValueFactory = _ => 20 };

    public Option<int?> SamplesPerRequest { get; } = new("--samples-per-request") { Description = "chat-sample, and text generation on the remote backends: replies asked for in one request (the 'n' field); default all at once. Use 1 for servers without 'n' (Ollama, llama.cpp), or for one seed per sample." };

    public Option<double> Temperature { get; } = new("--temperature") { Description = "chat-sample: sampling temperature.", DefaultValueFactory = _ => 1.0 };

    public Option<long> SampleSeed { get; } = new("--sample-seed") { Description = "chat-sample: seed sent to the server; request j of an item uses seed + j.", DefaultValueFactory = _ => 1 };

    public Option<int> MaxAnswerTokens { get; } = new("--max-answer-tokens") { Description = "chat-sample: longest sampled reply, in tokens.", DefaultValueFactory = _ => 16 };

    public Option<string?> SystemPrompt { get; } = new("--system-prompt") { Description = "Chat backends: a system message sent before each prompt (it changes the numbers, so it is part of every item's key)." };

    public Option<string?> Prices { get; } = new("--prices") { Description = "Prices per million prompt and completion tokens for a cost estimate, e.g. 0.5,1.5." };

    public Option<int> Retries { get; } = new("--retries") { Description = "Retries of a failing request (429, 5xx, timeouts, broken connections) before the item is recorded as failed.", DefaultValueFactory = _ => 6 };

    public Option<int> TimeoutSeconds { get; } = new("--timeout") { Description = "Seconds before a request counts as timed out.", DefaultValueFactory = _ => 120 };

    public Option<double> RetryDelaySeconds { get; } = new("--retry-delay") { Description = "Seconds before the first retry; each further retry doubles it, with jitter.", DefaultValueFactory = _ => 0.5 };

    public Option<double> MaxRetryDelaySeconds { get; } = new("--max-retry-delay") { Description = "Longest wait between attempts in seconds, Retry-After included.", DefaultValueFactory = _ => 60 };

    public Option<int> CircuitFailures { get; } = new("--circuit-failures") { Description = "Consecutive failures of one endpoint that stop sending it requests for a while.", DefaultValueFactory = _ => 5 };

    public Option<double> CircuitBreakSeconds { get; } = new("--circuit-break") { Description = "Seconds an endpoint gets no requests after --circuit-failures failures, before one trial request.", DefaultValueFactory = _ => 30 };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Servers: report each retry, circuit-breaker change and failed request on standard error." };

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All =>
    [
        Backend, Device, Threads, ContextSize, BatchSize, F16Kv, GpuLayers, Chat,
        Endpoints, Deployment, ApiKeyVariable, MaxInFlight, RequestBatch, TopLogProbs, Samples, SamplesPerRequest, Temperature, SampleSeed,
        MaxAnswerTokens, SystemPrompt, Prices, Retries, TimeoutSeconds, RetryDelaySeconds, MaxRetryDelaySeconds, CircuitFailures, CircuitBreakSeconds, Verbose,
    ];

    /// <summary>The flag that sets <paramref name="setting"/>, or null when no flag does.</summary>
    public static string? FlagOf(string setting) => Flags.GetValueOrDefault(setting);

    /// <summary>The chosen backend's name.</summary>
    public string BackendName(ParseResult parse) => parse.GetValue(Backend)!;

    /// <summary>The settings of every backend from the parsed options; <paramref name="llama"/> may adjust the local ones (e.g. naive mode).</summary>
    /// <exception cref="InputException">An endpoint is not a URL, or the prices are malformed.</exception>
    public BackendSettings Settings(ParseResult parse, Func<LlamaModelOptions, LlamaModelOptions>? llama = null)
    {
        var local = new LlamaModelOptions
        {
            Threads = parse.GetValue(Threads),
            ContextSize = parse.GetValue(ContextSize),
            BatchSize = parse.GetValue(BatchSize),
            F32KvCache = !parse.GetValue(F16Kv),
            Device = CommonOptions.Parse<LlamaDevice>("--device", parse.GetValue(Device)),
            GpuLayers = parse.GetValue(GpuLayers),
            Chat = parse.GetValue(Chat),
        };
        var remote = new RemoteModelOptions
        {
            Endpoints = (parse.GetValue(Endpoints) ?? []).Select(e => Uri.TryCreate(e, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri
                : throw new InputException($"--endpoint: expected an http(s) URL, found '{e}'")).ToArray(),
            Deployment = parse.GetValue(Deployment),
            ApiKeyVariable = parse.GetValue(ApiKeyVariable),
            MaxInFlight = parse.GetValue(MaxInFlight),
            PromptsPerRequest = parse.GetValue(RequestBatch),
            TopLogProbs = parse.GetValue(TopLogProbs),
            Samples = parse.GetValue(Samples),
            SamplesPerRequest = parse.GetValue(SamplesPerRequest),
            Temperature = parse.GetValue(Temperature),
            Seed = parse.GetValue(SampleSeed),
            MaxAnswerTokens = parse.GetValue(MaxAnswerTokens),
            SystemPrompt = parse.GetValue(SystemPrompt),
            Retries = parse.GetValue(Retries),
            Timeout = TimeSpan.FromSeconds(parse.GetValue(TimeoutSeconds)),
            RetryBaseDelay = Seconds(parse.GetValue(RetryDelaySeconds), "--retry-delay"),
            MaxRetryDelay = Seconds(parse.GetValue(MaxRetryDelaySeconds), "--max-retry-delay"),
            CircuitBreakerFailures = parse.GetValue(CircuitFailures),
            CircuitBreakDuration = Seconds(parse.GetValue(CircuitBreakSeconds), "--circuit-break"),
            Prices = ParsePrices(parse.GetValue(Prices)),
            Logger = parse.GetValue(Verbose) ? new TextWriterLogger(parse.InvocationConfiguration.Error) : null,
        };
        return BackendSettings.Empty.With(llama is null ? local : llama(local)).With(remote);
    }

    private static TimeSpan Seconds(double seconds, string flag) =>
        double.IsFinite(seconds) && seconds >= 0 && seconds <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new InputException($"{flag}: expected 0 to 86400 seconds, found {seconds.ToString(CultureInfo.InvariantCulture)}");

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
