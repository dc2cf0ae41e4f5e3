using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CultureProbe.Remote.Transport;

/// <summary>
/// Sends JSON requests to a list of endpoints with a bound on requests in flight, retries with
/// exponential backoff and jitter (honouring <c>Retry-After</c>), and a circuit breaker per endpoint.
/// Each attempt goes to the least busy endpoint whose circuit is closed, so a retry usually lands
/// on another server of the fleet. Resilience is written here rather than taken from
/// Microsoft.Extensions.Http.Resilience or a Polly pipeline because the choice of endpoint belongs
/// inside the retry loop, and one loop over all endpoints is shorter than a pipeline per endpoint.
/// </summary>
/// <remarks>
/// What is retried is what a repeat can mend: no answer (refused or broken connection, timeout) and the statuses
/// that say "later" (408, 429, 5xx). A response that shows the settings are wrong (a redirect, 401, 403, 404, 405)
/// is a <see cref="SettingException"/> naming the setting; another 4xx a <see cref="RemoteRequestException"/> at
/// once; a 2xx whose body is not the documented JSON a <see cref="RemoteResponseException"/> at once. Retries,
/// circuit changes and failures go to <see cref="RemoteModelOptions.Logger"/>.
/// </remarks>
internal sealed class RemoteTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly Endpoint[] _endpoints;
    private readonly SemaphoreSlim _slots;
    private readonly RemoteModelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string? _apiKey;
    private int _roundRobin;

    public RemoteTransport(RemoteModelOptions options, string? apiKey)
    {
        _options = options;
        _time = options.TimeProvider;
        _log = options.Logger ?? NullLogger.Instance;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
        _endpoints = options.Endpoints.Select(u => new Endpoint(u, new CircuitBreaker(options.CircuitBreakerFailures, options.CircuitBreakDuration))).ToArray();
        _slots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = int.MaxValue,
            AutomaticDecompression = DecompressionMethods.All,
            // A redirect is reported, not followed: HttpClient would resend a POST as a GET without its body, and
            // the address it leads to (https instead of http, a login page) is what the endpoint should say.
            AllowAutoRedirect = false,
        };
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        Usage = new UsageCounters(options.Prices);
    }

    public UsageCounters Usage { get; }

    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="path"/> of an endpoint and parses the answer with
    /// <paramref name="parse"/>, which throws <see cref="RemoteResponseException"/> for an unusable one.
    /// </summary>
    /// <exception cref="RemoteRequestException">No answer or a retryable status on every attempt, or a 4xx about the request itself.</exception>
    /// <exception cref="RemoteResponseException">A 2xx answer whose body is not the documented JSON (not retried).</exception>
    /// <exception cref="SettingException">The answer shows a setting is wrong: a redirect or 404/405 (<c>endpoint</c>), 401/403 (<c>api_key_env</c>), a model the server does not have (<c>model</c>).</exception>
    public async Task<T> PostAsync<T>(string path, byte[] body, Func<JsonElement, ParsedResponse<T>> parse, CancellationToken cancellationToken)
    {
        Exception? last = null;
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            Endpoint endpoint;
            CircuitPass pass;
            try
            {
                (endpoint, pass) = await PickEndpointAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _slots.Release();
                throw;
            }
            Interlocked.Increment(ref endpoint.InFlight);
            Usage.Attempt();
            var request = endpoint.Redacted(path);
            // Whether this attempt told the breaker how it went; if not (cancelled by the caller, or a bug in a
            // parser), a half-open trial it may hold is given back in the finally block.
            var settled = false;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.Timeout);
                using var message = new HttpRequestMessage(HttpMethod.Post, endpoint.Resolve(path)) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (_apiKey is not null)
                {
                    message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
                }
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    ParsedResponse<T> parsed;
                    try
                    {
                        parsed = Parse(request, status, bytes, parse);
                    }
                    catch (RemoteResponseException e)
                    {
                        // The server answered, but not in the protocol: counted against the endpoint, so that a fleet
                        // sends its work elsewhere, and not repeated (see RemoteResponseException).
                        Log(endpoint, endpoint.Breaker.RecordFailure(pass, _time.GetUtcNow()));
                        settled = true;
                        Usage.Failed();
                        _log.LogError("{Error}", e.Message);
                        throw;
                    }
                    Log(endpoint, endpoint.Breaker.RecordSuccess());
                    settled = true;
                    Usage.Succeeded(parsed.PromptTokens, parsed.CompletionTokens);
                    return parsed.Value;
                }
                if (status is 408 or 429 || status >= 500)
                {
                    retryAfter = RetryAfter.Read(response.Headers, _time.GetUtcNow());
                    last = new RemoteRequestException(Redact($"{request} answered {Status(response)}: {Excerpt(bytes)}"), status);
                    settled = true;
                }
                else
                {
                    // The server is up and says the request is wrong; repeating it cannot help.
                    Log(endpoint, endpoint.Breaker.RecordSuccess());
                    settled = true;
                    Usage.Failed();
                    var refusal = Refusal(endpoint, path, response, bytes);
                    _log.LogError("{Error}", refusal.Message);
                    throw refusal;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = new TimeoutException(Redact($"{request}: no complete response within {_options.Timeout.TotalSeconds:0.###} s"));
                settled = true;
            }
            catch (HttpRequestException e)
            {
                last = new RemoteRequestException(Redact($"{request}: {Messages(e)}"), (int?)e.StatusCode, e);
                settled = true;
            }
            catch (IOException e) when (e is not RemoteRequestException and not RemoteResponseException)
            {
                last = new RemoteRequestException(Redact($"{request}: connection broken: {Messages(e)}"), e);
                settled = true;
            }
            finally
            {
                Interlocked.Decrement(ref endpoint.InFlight);
                _slots.Release();
                if (!settled)
                {
                    Log(endpoint, endpoint.Breaker.Abandon(pass));
                }
            }

            Log(endpoint, endpoint.Breaker.RecordFailure(pass, _time.GetUtcNow()));
            if (attempt >= _options.Retries)
            {
                Usage.Failed();
                var failure = new RemoteRequestException($"gave up after {attempt + 1} attempt(s): {last.Message}", (last as RemoteRequestException)?.StatusCode, last);
                _log.LogError("{Error}", failure.Message);
                throw failure;
            }
            Usage.Retry();
            var delay = retryAfter ?? Backoff(attempt);
            if (delay > _options.MaxRetryDelay)
            {
                delay = _options.MaxRetryDelay;
            }
            _log.LogWarning("{Error}; attempt {Attempt} of {Attempts} failed, retrying in {Delay} s",
                ResponseText.Printable(last.Message), attempt + 1, _options.Retries + 1, delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }

    private ParsedResponse<T> Parse<T>(string request, int status, byte[] bytes, Func<JsonElement, ParsedResponse<T>> parse)
    {
        if (bytes.Length == 0)
        {
            throw new RemoteResponseException($"{request} answered {status} with an empty body instead of JSON (is the endpoint the server's API?)");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            var what = ResponseText.LooksLikeMarkup(bytes)
                ? "an HTML or XML page instead of JSON (is the endpoint the server's API, not a web interface or a proxy's page?)"
                : $"a body that is not JSON ({e.Message})";
            throw new RemoteResponseException(Redact($"{request} answered {status} with {what}: {Excerpt(bytes)}"), e);
        }
        using (document)
        {
            try
            {
                return parse(document.RootElement);
            }
            catch (RemoteResponseException e)
            {
                throw new RemoteResponseException(Redact($"{request}: unusable response: {e.Message}; the body: {Excerpt(bytes)}"), e);
            }
            catch (Exception e) when (IsShapeError(e))
            {
                throw new RemoteResponseException(Redact($"{request}: the response does not have the documented shape ({e.Message}): {Excerpt(bytes)}"), e);
            }
        }
    }

    /// <summary>
    /// Whether an exception of a parser comes from a JSON accessor meeting a value of another shape (a string where a
    /// number belongs, a fraction where an integer does, an array shorter than documented). The parsers check what
    /// they read and name the field; this catches what they miss. The same exception types thrown by this project's
    /// code are bugs: they are neither retried nor dressed as the server's fault.
    /// </summary>
    private static bool IsShapeError(Exception e) =>
        e is InvalidOperationException or FormatException or IndexOutOfRangeException
        && e is not ObjectDisposedException
        && e.TargetSite?.DeclaringType?.Assembly == typeof(JsonElement).Assembly;

    /// <summary>The exception for a non-retryable answer other than 2xx: a setting that is wrong, or the request's own fault.</summary>
    private Exception Refusal(Endpoint endpoint, string path, HttpResponseMessage response, byte[] bytes)
    {
        var status = (int)response.StatusCode;
        var request = endpoint.Redacted(path);
        var answered = $"{request} answered {Status(response)}: {Excerpt(bytes)}";
        switch (status)
        {
            case >= 300 and < 400:
                var to = response.Headers.Location is { } location ? $"to {Address(new Uri(endpoint.Resolve(path), location))}" : "without saying where";
                return Setting("endpoint", $"{request} redirects ({Status(response)}) {to}; redirects are not followed: give the server's own API base URL (https:// where it redirects to https)");
            case 401:
                return Setting("api_key_env", _apiKey is null
                    ? $"{answered}; the server wants an API key: name the environment variable that holds it"
                    : $"{answered}; the server did not accept the key in {_options.ApiKeyVariable}");
            case 403:
                return Setting("api_key_env", $"{answered}; the key{(_apiKey is null ? " (none was sent)" : $" in {_options.ApiKeyVariable}")} may not use this model or endpoint");
            case 404 when Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 8192)).Contains("model", StringComparison.OrdinalIgnoreCase):
                return Setting("model", $"{answered}; check the served model's name '{_options.Model}' (an OpenAI-style server lists its models at GET /v1/models) and that backend {_options.Backend} suits it");
            case 404 or 405:
                return Setting("endpoint", $"{answered}; is the endpoint the server's base URL, and does the server speak backend {_options.Backend} ({path})?");
            default:
                return new RemoteRequestException(Redact(answered), status);
        }
    }

    private SettingException Setting(string setting, string problem) => new(setting, ResponseText.Printable(Redact(problem)));

    /// <summary>Status code and reason phrase, as the server sent them.</summary>
    private static string Status(HttpResponseMessage response) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {response.ReasonPhrase}").TrimEnd();

    /// <summary>An address without user information or query, which may hold credentials or tokens.</summary>
    private static string Address(Uri uri) => uri.IsAbsoluteUri ? $"{uri.Scheme}://{uri.Host}:{uri.Port}{uri.AbsolutePath}" : "a relative address";

    /// <summary>An exception's message with its inner exceptions' (HttpRequestException often says only "an error occurred").</summary>
    private static string Messages(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null && parts.Count < 4; x = x.InnerException)
        {
            var message = x.Message.TrimEnd('.');
            if (!parts.Any(p => p.Contains(message, StringComparison.Ordinal)))
            {
                parts.Add(message);
            }
        }
        return string.Join(": ", parts);
    }

    private string Excerpt(byte[] bytes) => ResponseText.Excerpt(bytes, Redact);

    private void Log(Endpoint endpoint, CircuitChange change)
    {
        switch (change)
        {
            case CircuitChange.Opened:
                _log.LogWarning("{Endpoint}: circuit opened after {Failures} consecutive failures; no requests for {Seconds} s", endpoint.Display, _options.CircuitBreakerFailures, _options.CircuitBreakDuration.TotalSeconds);
                break;
            case CircuitChange.Reopened:
                _log.LogWarning("{Endpoint}: the trial request failed; circuit open for another {Seconds} s", endpoint.Display, _options.CircuitBreakDuration.TotalSeconds);
                break;
            case CircuitChange.TrialStarted:
                _log.LogInformation("{Endpoint}: circuit half-open, one trial request", endpoint.Display);
                break;
            case CircuitChange.TrialAbandoned:
                _log.LogInformation("{Endpoint}: the trial request was cancelled; the next request will be the trial", endpoint.Display);
                break;
            case CircuitChange.Closed:
                _log.LogInformation("{Endpoint}: circuit closed, the endpoint answers again", endpoint.Display);
                break;
            case CircuitChange.None:
            default:
                break;
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        // Exponential with "equal jitter": half fixed, half random, so retries of many requests spread out.
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        exponential = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((exponential / 2) + (Random.Shared.NextDouble() * exponential / 2));
    }

    private async Task<(Endpoint Endpoint, CircuitPass Pass)> PickEndpointAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = _time.GetUtcNow();
            Endpoint? best = null;
            var start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)_endpoints.Length);
            for (var i = 0; i < _endpoints.Length; i++)
            {
                var candidate = _endpoints[(start + i) % _endpoints.Length];
                if (!candidate.Breaker.IsOpen(now) && (best is null || Volatile.Read(ref candidate.InFlight) < Volatile.Read(ref best.InFlight)))
                {
                    best = candidate;
                }
            }
            if (best is not null && best.Breaker.TryEnter(now, out var pass, out var change))
            {
                Log(best, change);
                return (best, pass);
            }
            // Every circuit is open: wait for the first to accept a trial request.
            var soonest = _endpoints.Select(e => e.Breaker.OpenUntil).Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(now).Min();
            var wait = soonest - now;
            await Task.Delay(wait > TimeSpan.FromMilliseconds(50) ? wait : TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the API key from text that may have echoed it (error bodies, exception messages).</summary>
    internal string Redact(string text) => _apiKey is null ? text : text.Replace(_apiKey, "[redacted]", StringComparison.Ordinal);

    private sealed class Endpoint(Uri baseUri, CircuitBreaker breaker)
    {
        public int InFlight;

        public CircuitBreaker Breaker { get; } = breaker;

        // Scheme, host and port only: user information in a URL is a credential.
        public string Display { get; } = $"{baseUri.Scheme}://{baseUri.Host}:{baseUri.Port}";

        public Uri Resolve(string path) => new(baseUri, baseUri.AbsolutePath.TrimEnd('/') + path);

        public string Redacted(string path) => $"POST {Display}{baseUri.AbsolutePath.TrimEnd('/')}{path}";
    }
}

/// <summary>A parsed response with the token counts the server reported.</summary>
internal readonly record struct ParsedResponse<T>(T Value, long PromptTokens, long CompletionTokens);
