namespace CultureProbe.Remote.Transport;

/// <summary>
/// Per-endpoint circuit breaker: after <c>threshold</c> consecutive failures the endpoint gets
/// no requests for <c>breakDuration</c>; then one trial request is let through, whose success
/// closes the circuit and whose failure opens it again.
/// </summary>
internal sealed class CircuitBreaker(int threshold, TimeSpan breakDuration)
{
    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset? _openUntil;
    private bool _trialInFlight;

    /// <summary>True while requests are kept away (open, or half-open with its trial under way).</summary>
    public bool IsOpen(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _openUntil is { } until && (now < until || _trialInFlight);
        }
    }

    /// <summary>When an open circuit will next accept a trial; null when closed.</summary>
    public DateTimeOffset? OpenUntil
    {
        get
        {
            lock (_lock)
            {
                return _openUntil;
            }
        }
    }

    /// <summary>Claims the right to send one request now; false while open.</summary>
    public bool TryEnter(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_openUntil is not { } until)
            {
                return true;
            }
            if (now < until || _trialInFlight)
            {
                return false;
            }
            _trialInFlight = true;
            return true;
        }
    }

    /// <summary>Gives back a half-open trial whose outcome is unknown (the caller cancelled).</summary>
    public void Abandon()
    {
        lock (_lock)
        {
            _trialInFlight = false;
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _openUntil = null;
            _trialInFlight = false;
        }
    }

    public void RecordFailure(DateTimeOffset now)
    {
        lock (_lock)
        {
            _failures++;
            if (_trialInFlight || _failures >= threshold)
            {
                _openUntil = now + breakDuration;
            }
            _trialInFlight = false;
        }
    }
}
