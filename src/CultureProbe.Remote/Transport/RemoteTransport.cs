using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CultureProbe.Remote.Transport;

/// <summary>
/// Sends JSON requests to a list of endpoints with a bound on requests in flight, retries with
/// exponential backoff and jitter (honouring <c>Retry-After</c>), and a circuit breaker per endpoint.
/// Each attempt goes to the least busy endpoint whose circuit is closed, so a retry usually lands
/// on another server of the fleet. Resilience is written here rather than taken from
/// Microsoft.Extensions.Http.Resilience because the choice of endpoint belongs inside the retry loop.
/// </summary>
internal sealed class RemoteTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly Endpoint[] _endpoints;
    private readonly SemaphoreSlim _slots;
    private readonly RemoteModelOptions _options;
    private readonly TimeProvider _time;
    private readonly string? _apiKey;
    private int _roundRobin;

    public RemoteTransport(RemoteModelOptions options, string? apiKey)
    {
        _options = options;
        _time = options.TimeProvider;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
        _endpoints = options.Endpoints.Select(u => new Endpoint(u, new CircuitBreaker(options.CircuitBreakerFailures, options.CircuitBreakDuration))).ToArray();
        _slots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = int.MaxValue,
            AutomaticDecompression = DecompressionMethods.All,
        };
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        Usage = new UsageCounters(options.Prices);
    }

    public UsageCounters Usage { get; }

    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="path"/> of an endpoint and parses the answer with
    /// <paramref name="parse"/>, which throws <see cref="RemoteResponseException"/> for an unusable one
    /// (retried like a 5xx: a broken proxy or a truncated body is not the model's answer).
    /// </summary>
    /// <exception cref="RemoteRequestException">A non-retryable status, or every attempt failed.</exception>
    public async Task<T> PostAsync<T>(string path, byte[] body, Func<JsonElement, ParsedResponse<T>> parse, CancellationToken cancellationToken)
    {
        Exception? last = null;
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            Endpoint endpoint;
            try
            {
                endpoint = await PickEndpointAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _slots.Release();
                throw;
            }
            Interlocked.Increment(ref endpoint.InFlight);
            Usage.Attempt();
            // Whether this attempt told the breaker how it went; if not (cancelled by the caller, or an
            // unexpected exception), a half-open trial it may hold is given back in the finally block.
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
                    var parsed = Parse(endpoint, bytes, parse);
                    endpoint.Breaker.RecordSuccess();
                    settled = true;
                    Usage.Succeeded(parsed.PromptTokens, parsed.CompletionTokens);
                    return parsed.Value;
                }
                var error = Redact($"{endpoint.Redacted(path)} answered {status} {response.ReasonPhrase}: {Snippet(bytes)}");
                if (status is 408 or 429 || status >= 500)
                {
                    retryAfter = RetryAfter.Read(response.Headers, _time.GetUtcNow());
                    last = new RemoteRequestException(error, status);
                    settled = true;
                }
                else
                {
                    // 4xx: the request itself is wrong (bad model name, prompt too long, bad key); repeating it cannot help.
                    endpoint.Breaker.RecordSuccess();
                    settled = true;
                    Usage.Failed();
                    throw new RemoteRequestException(error, status);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = new TimeoutException($"{endpoint.Redacted(path)}: no complete response within {_options.Timeout.TotalSeconds:0.###} s");
                settled = true;
            }
            catch (HttpRequestException e)
            {
                last = new RemoteRequestException($"{endpoint.Redacted(path)}: {Redact(e.Message)}", e);
                settled = true;
            }
            catch (IOException e)
            {
                last = new RemoteRequestException($"{endpoint.Redacted(path)}: connection broken: {Redact(e.Message)}", e);
                settled = true;
            }
            catch (RemoteResponseException e)
            {
                last = e;
                settled = true;
            }
            finally
            {
                Interlocked.Decrement(ref endpoint.InFlight);
                _slots.Release();
                if (!settled)
                {
                    endpoint.Breaker.Abandon();
                }
            }

            endpoint.Breaker.RecordFailure(_time.GetUtcNow());
            if (attempt >= _options.Retries)
            {
                Usage.Failed();
                throw new RemoteRequestException($"gave up after {attempt + 1} attempt(s): {last.Message}", (last as RemoteRequestException)?.StatusCode, last);
            }
            Usage.Retry();
            var delay = retryAfter ?? Backoff(attempt);
            if (delay > _options.MaxRetryDelay)
            {
                delay = _options.MaxRetryDelay;
            }
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

    private ParsedResponse<T> Parse<T>(Endpoint endpoint, byte[] bytes, Func<JsonElement, ParsedResponse<T>> parse)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new RemoteResponseException(Redact($"{endpoint.Display}: the response is not valid JSON ({e.Message}): {Snippet(bytes)}"), e);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // A number that is not an integer where an id or offset belongs, or an entry shorter than its documented tuple.
            throw new RemoteResponseException(Redact($"{endpoint.Display}: the response does not have the documented shape ({e.Message}): {Snippet(bytes)}"), e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement accessors throw this for a value of the wrong kind (a string where a number belongs).
            throw new RemoteResponseException(Redact($"{endpoint.Display}: the response has a field of the wrong type ({e.Message}): {Snippet(bytes)}"), e);
        }
        catch (RemoteResponseException e)
        {
            throw new RemoteResponseException($"{endpoint.Display}: {e.Message}", e);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        // Exponential with "equal jitter": half fixed, half random, so retries of many requests spread out.
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        exponential = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((exponential / 2) + (Random.Shared.NextDouble() * exponential / 2));
    }

    private async Task<Endpoint> PickEndpointAsync(CancellationToken cancellationToken)
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
            if (best is not null && best.Breaker.TryEnter(now))
            {
                return best;
            }
            // Every circuit is open: wait for the first to accept a trial request.
            var soonest = _endpoints.Select(e => e.Breaker.OpenUntil).Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(now).Min();
            var wait = soonest - now;
            await Task.Delay(wait > TimeSpan.FromMilliseconds(50) ? wait : TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Snippet(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 300));
        return bytes.Length > 300 ? text + "..." : text;
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
