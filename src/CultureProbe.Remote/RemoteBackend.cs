using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Remote.Backends;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote;

/// <summary>A model behind a server: what every remote backend adds to <see cref="IProbeModel"/>.</summary>
public interface IRemoteModel : IProbeModel
{
    /// <summary>Requests, retries, token counts and cost so far.</summary>
    RemoteUsage Usage { get; }
}

/// <summary>
/// One remote backend (a wire format and a measuring method) as the registry sees it; its settings are
/// <see cref="RemoteModelOptions"/>. Each backend's file declares its instance; <see cref="RemoteBackends.All"/> lists them.
/// </summary>
public sealed class RemoteBackend : IModelBackend
{
    private readonly Func<RemoteModelOptions, RemoteTransport, RemoteModel> _create;

    internal RemoteBackend(string name, ScoringMethod method, string description, bool openAiStyle, Func<RemoteModelOptions, RemoteTransport, RemoteModel> create, params string[] aliases)
    {
        Name = name;
        Aliases = aliases;
        Method = method;
        Description = description;
        OpenAiStyle = openAiStyle;
        _create = create;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Aliases { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public ScoringMethod Method { get; }

    /// <summary>Whether the server speaks the OpenAI paths (<c>/v1/...</c>), so a base URL copied with its <c>/v1</c> is accepted.</summary>
    internal bool OpenAiStyle { get; }

    /// <inheritdoc />
    public void Validate(ModelSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Validate(For(source));
    }

    /// <inheritdoc />
    public Task<IProbeModel> OpenAsync(ModelSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Task.FromResult<IProbeModel>(Open(For(source)));
    }

    /// <summary>Opens a model with complete options (<see cref="RemoteModelOptions.Backend"/> is this backend's name).</summary>
    /// <exception cref="SettingException">A setting is out of range, or the API key variable is not set.</exception>
    internal IRemoteModel Open(RemoteModelOptions options)
    {
        Validate(options);
        // Base URLs are written with a trailing slash and, for OpenAI-style servers, without the "/v1" that users often copy along.
        options = options with { Endpoints = options.Endpoints.Select(Normalize).ToArray() };
        string? key = null;
        if (!string.IsNullOrEmpty(options.ApiKeyVariable))
        {
            key = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
            if (string.IsNullOrEmpty(key))
            {
                throw new SettingException("api_key_env", $"the environment variable {options.ApiKeyVariable} is not set or empty");
            }
        }
        return _create(options, new RemoteTransport(options, key));
    }

    private RemoteModelOptions For(ModelSource source) =>
        source.Settings.Get<RemoteModelOptions>() with { Backend = Name, Model = source.Reference };

    private static void Validate(RemoteModelOptions options)
    {
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new SettingException("endpoint", $"backend {options.Backend} needs the server's URL (give several to share the work across a fleet)");
        }
        foreach (var endpoint in options.Endpoints)
        {
            SettingException.Require(endpoint.IsAbsoluteUri && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps), "endpoint", "an http:// or https:// URL", endpoint);
        }
        SettingException.Require(!string.IsNullOrWhiteSpace(options.Model), "model", "the model name the server knows", $"'{options.Model}'");
        SettingException.Require(options.Deployment is null || options.Deployment.Trim().Length > 0, "deployment", "a non-empty name", "an empty one");
        SettingException.Require(options.MaxInFlight is >= 1 and <= 4096, "max_in_flight", "1 to 4096", options.MaxInFlight);
        SettingException.Require(options.PromptsPerRequest is >= 1 and <= 4096, "prompts_per_request", "1 to 4096", options.PromptsPerRequest);
        SettingException.Require(options.TopLogProbs is >= 1 and <= 100, "top_logprobs", "1 to 100", options.TopLogProbs);
        SettingException.Require(options.Samples is >= 1 and <= 100_000, "samples", "1 to 100000", options.Samples);
        SettingException.Require(options.SamplesPerRequest is null or >= 1, "samples_per_request", "at least 1", options.SamplesPerRequest);
        SettingException.Require(options.Temperature >= 0 && double.IsFinite(options.Temperature), "temperature", "a number ≥ 0", options.Temperature);
        SettingException.Require(options.MaxAnswerTokens is >= 1 and <= 1 << 20, "max_answer_tokens", "1 to 1048576", options.MaxAnswerTokens);
        SettingException.Require(options.Timeout > TimeSpan.Zero, "timeout", "a positive duration", options.Timeout);
        SettingException.Require(options.Retries is >= 0 and <= 100, "retries", "0 to 100", options.Retries);
        SettingException.Require(options.CircuitBreakerFailures is >= 1 and <= 1000, "circuit_breaker_failures", "1 to 1000", options.CircuitBreakerFailures);
        SettingException.Require(options.CircuitBreakDuration > TimeSpan.Zero, "circuit_break_duration", "a positive duration", options.CircuitBreakDuration);
        SettingException.Require(options.RetryBaseDelay >= TimeSpan.Zero, "retry_base_delay", "0 or more", options.RetryBaseDelay);
        SettingException.Require(options.MaxRetryDelay >= options.RetryBaseDelay, "max_retry_delay", $"at least the first delay ({options.RetryBaseDelay.TotalSeconds} s)", options.MaxRetryDelay);
        SettingException.Require(options.Prices is null || (options.Prices.PromptPerMillion >= 0 && options.Prices.CompletionPerMillion >= 0), "prices", "prices ≥ 0", options.Prices);
    }

    private Uri Normalize(Uri endpoint)
    {
        var path = endpoint.AbsolutePath.TrimEnd('/');
        if (OpenAiStyle && path.EndsWith("/v1", StringComparison.Ordinal))
        {
            path = path[..^3];
        }
        return new UriBuilder(endpoint) { Path = path + "/" }.Uri;
    }
}

/// <summary>Every remote backend. A new one is a file in <c>Backends/</c> declaring its <see cref="RemoteBackend"/>, plus one line here.</summary>
public static class RemoteBackends
{
    /// <summary>The remote backends, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<RemoteBackend> All { get; } =
    [
        OpenAICompletionsModel.Backend,
        VllmPromptLogProbsModel.Backend,
        TgiModel.Backend,
        SglangModel.Backend,
        ChatTopLogProbsModel.Backend,
        ChatSamplingModel.Backend,
        OllamaModel.Backend,
    ];

    /// <summary>Opens the model <paramref name="options"/> describe, with the backend named by <see cref="RemoteModelOptions.Backend"/>.</summary>
    /// <exception cref="SettingException">No remote backend has that name, or a setting is out of range.</exception>
    public static IRemoteModel Open(RemoteModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var backend = All.FirstOrDefault(b => b.Aliases.Prepend(b.Name).Contains(options.Backend, StringComparer.OrdinalIgnoreCase))
            ?? throw new SettingException("backend", $"expected one of {string.Join(", ", All.Select(b => b.Name))}, found '{options.Backend}'");
        return backend.Open(options with { Backend = backend.Name });
    }
}
