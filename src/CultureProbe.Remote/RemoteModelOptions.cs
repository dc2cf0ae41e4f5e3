using Microsoft.Extensions.Logging;

namespace CultureProbe.Remote;

/// <summary>Prices per million tokens, for a cost estimate. Either may be zero.</summary>
/// <param name="PromptPerMillion">Price of one million prompt (input) tokens.</param>
/// <param name="CompletionPerMillion">Price of one million completion (output) tokens.</param>
/// <param name="Currency">Currency label shown next to the estimate.</param>
public sealed record RemotePrices(decimal PromptPerMillion, decimal CompletionPerMillion, string Currency = "USD");

/// <summary>
/// Everything a remote backend needs to drive a server or a fleet of servers. Errors about these settings name
/// them in snake_case (<c>max_in_flight</c>, <c>prompts_per_request</c>, …); the command line says which flag sets each.
/// </summary>
public sealed record RemoteModelOptions
{
    /// <summary>One of <see cref="RemoteBackends.All"/>' names (<c>vllm</c>, <c>tgi</c>, …); set by the backend that opens the model.</summary>
    public string Backend { get; init; } = "";

    /// <summary>Base URLs (e.g. <c>http://gpu1:8000</c>); the work is shared among them. A trailing <c>/v1</c> is accepted for the OpenAI-style backends.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [];

    /// <summary>Model name sent to the server (<c>model</c> field) and recorded with every result; set by the backend that opens the model.</summary>
    public string Model { get; init; } = "";

    /// <summary>Name of the environment variable that holds the API key (sent as <c>Authorization: Bearer</c>); null for none. The key itself is never logged.</summary>
    public string? ApiKeyVariable { get; init; }

    /// <summary>
    /// A name for what serves the model (e.g. <c>lab-cluster-q8</c>, <c>openai</c>), in the model's fingerprint and so in
    /// every item key in place of the endpoints: servers given the same deployment name share cached results, so a fleet
    /// can grow or shrink between reruns without rescoring what is stored. Give each deployment that may differ (another
    /// quantisation, another server version) its own name. Null: the endpoints themselves are in the fingerprint, so
    /// results are shared only with runs against exactly the same servers.
    /// </summary>
    public string? Deployment { get; init; }

    /// <summary>Requests in flight at once over all endpoints.</summary>
    public int MaxInFlight { get; init; } = 16;

    /// <summary>Prompts per request for backends that accept a prompt array (<c>openai-completions</c>, <c>vllm</c>, <c>sglang</c>).</summary>
    public int PromptsPerRequest { get; init; } = 8;

    /// <summary><c>top_logprobs</c> asked of a chat API (<c>chat-logprobs</c>); OpenAI allows at most 20.</summary>
    public int TopLogProbs { get; init; } = 20;

    /// <summary>Sampled replies per item (<c>chat-sample</c>).</summary>
    public int Samples { get; init; } = 20;

    /// <summary>
    /// Replies asked for in one request (the <c>n</c> field) for <c>chat-sample</c>, and samples per request when a backend
    /// generates text (<c>n</c>, or SGLang's prompt copies); null for all at once. Use 1 for servers without <c>n</c>
    /// (Ollama, llama.cpp), or to draw every generated sample j with its own seed + j.
    /// </summary>
    public int? SamplesPerRequest { get; init; }

    /// <summary>Sampling temperature (<c>chat-sample</c>).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sampling seed (<c>chat-sample</c>); request j of an item uses <c>Seed + j</c>.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Longest sampled reply, in tokens (<c>chat-sample</c>).</summary>
    public int MaxAnswerTokens { get; init; } = 16;

    /// <summary>Optional system message for the chat backends (it changes the numbers, so it is in the model's fingerprint).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Time allowed for one HTTP attempt, response body included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after the first attempt of a request (on 408, 429, 5xx, timeouts, refused and broken connections; never on a 2xx with an unusable body).</summary>
    public int Retries { get; init; } = 6;

    /// <summary>First backoff delay; each retry doubles it (with jitter), up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between attempts, <c>Retry-After</c> included.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Consecutive failures of one endpoint that open its circuit.</summary>
    public int CircuitBreakerFailures { get; init; } = 5;

    /// <summary>How long an open circuit keeps requests away from its endpoint before one trial request.</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Optional prices for <see cref="RemoteUsage.EstimatedCost"/>.</summary>
    public RemotePrices? Prices { get; init; }

    /// <summary>Clock for backoff delays and circuit breakers (tests inject a fake one; per-attempt timeouts use real time).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where retries, circuit-breaker changes and failed requests are logged (retries and circuits opening as
    /// warnings, circuits closing as information, requests that fail for good as errors); null for nowhere.
    /// Messages name endpoints by scheme, host and port, quote at most a short escaped excerpt of a response,
    /// and never hold the API key.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>Optional HTTP handler (tests, proxies); by default a pooled <see cref="SocketsHttpHandler"/> that does not follow redirects.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
