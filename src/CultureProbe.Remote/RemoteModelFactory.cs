using CultureProbe.Remote.Backends;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote;

/// <summary>Creates the remote backends by name; the CLI's <c>--backend</c>, <c>--endpoint</c> and <c>--model</c> end here.</summary>
public static class RemoteModelFactory
{
    /// <summary>OpenAI-style <c>/v1/completions</c> with <c>echo</c> and <c>logprobs</c> (vLLM and compatible servers).</summary>
    public const string OpenAICompletions = "openai-completions";

    /// <summary>vLLM's <c>prompt_logprobs</c> extension.</summary>
    public const string Vllm = "vllm";

    /// <summary>Text Generation Inference <c>/generate</c> with <c>decoder_input_details</c>.</summary>
    public const string Tgi = "tgi";

    /// <summary>SGLang native <c>/generate</c> with <c>return_logprob</c>.</summary>
    public const string Sglang = "sglang";

    /// <summary>Chat API, first-token <c>top_logprobs</c> over the option letters.</summary>
    public const string ChatLogProbs = "chat-logprobs";

    /// <summary>Chat API, N sampled replies parsed into options.</summary>
    public const string ChatSample = "chat-sample";

    /// <summary>Every backend name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Backends { get; } = [OpenAICompletions, Vllm, Tgi, Sglang, ChatLogProbs, ChatSample];

    /// <summary>Creates the backend named by <see cref="RemoteModelOptions.Backend"/> (<c>vllm-prompt-logprobs</c> is accepted for <c>vllm</c>).</summary>
    /// <exception cref="InputException">An unknown backend, no endpoint, a URL that is not http(s), a setting out of range, or an API key variable that is not set.</exception>
    public static IRemoteLanguageModel Create(RemoteModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Backend == "vllm-prompt-logprobs")
        {
            // The issue's name for the same backend.
            options = options with { Backend = Vllm };
        }
        Validate(options);
        var openAiStyle = options.Backend is OpenAICompletions or Vllm or ChatLogProbs or ChatSample;
        // Base URLs are written with a trailing slash and, for OpenAI-style servers, without the "/v1" that users often copy along.
        var endpoints = options.Endpoints.Select(e => Normalize(e, openAiStyle)).ToArray();
        options = options with { Endpoints = endpoints };
        string? key = null;
        if (!string.IsNullOrEmpty(options.ApiKeyVariable))
        {
            key = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
            if (string.IsNullOrEmpty(key))
            {
                throw new InputException($"--api-key-env: the environment variable {options.ApiKeyVariable} is not set or empty");
            }
        }
        var transport = new RemoteTransport(options, key);
        return options.Backend switch
        {
            OpenAICompletions => new OpenAICompletionsModel(options, transport),
            Vllm => new VllmPromptLogProbsModel(options, transport),
            Tgi => new TgiModel(options, transport),
            Sglang => new SglangModel(options, transport),
            ChatLogProbs => new ChatTopLogProbsModel(options, transport),
            _ => new ChatSamplingModel(options, transport),
        };
    }

    private static void Validate(RemoteModelOptions options)
    {
        if (!Backends.Contains(options.Backend, StringComparer.Ordinal))
        {
            throw new InputException($"--backend: unknown backend '{options.Backend}'; expected one of {string.Join(", ", Backends)}");
        }
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new InputException("--endpoint: at least one server URL is needed");
        }
        foreach (var endpoint in options.Endpoints)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw new InputException($"--endpoint: '{endpoint}' is not an http:// or https:// URL");
            }
        }
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new InputException("--model: the model name the server knows is needed");
        }
        Check(options.MaxInFlight >= 1, "--max-in-flight", "at least 1", options.MaxInFlight);
        Check(options.BatchSize >= 1, "--batch-size", "at least 1", options.BatchSize);
        Check(options.TopLogProbs is >= 1 and <= 100, "--top-logprobs", "between 1 and 100", options.TopLogProbs);
        Check(options.Samples >= 1, "--samples", "at least 1", options.Samples);
        Check(options.SamplesPerRequest is null or >= 1, "--samples-per-request", "at least 1", options.SamplesPerRequest);
        Check(options.Temperature >= 0 && double.IsFinite(options.Temperature), "--temperature", "a number ≥ 0", options.Temperature);
        Check(options.MaxAnswerTokens >= 1, "--max-answer-tokens", "at least 1", options.MaxAnswerTokens);
        Check(options.Timeout > TimeSpan.Zero, "--timeout", "a positive duration", options.Timeout);
        Check(options.Retries >= 0, "--retries", "0 or more", options.Retries);
        Check(options.CircuitBreakerFailures >= 1, "circuit breaker failures", "at least 1", options.CircuitBreakerFailures);
        Check(options.Prices is null || (options.Prices.PromptPerMillion >= 0 && options.Prices.CompletionPerMillion >= 0), "--price", "prices ≥ 0", options.Prices);
    }

    private static void Check(bool ok, string option, string expected, object? found)
    {
        if (!ok)
        {
            throw new InputException($"{option}: expected {expected}, found {found}");
        }
    }

    private static Uri Normalize(Uri endpoint, bool openAiStyle)
    {
        var path = endpoint.AbsolutePath.TrimEnd('/');
        if (openAiStyle && path.EndsWith("/v1", StringComparison.Ordinal))
        {
            path = path[..^3];
        }
        return new UriBuilder(endpoint) { Path = path + "/" }.Uri;
    }
}
