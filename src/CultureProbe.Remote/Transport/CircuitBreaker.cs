namespace CultureProbe.Remote.Transport;

/// <summary>How a request entered a circuit: as an ordinary request of a closed circuit, or as the one trial of a half-open one.</summary>
/// <param name="Trial">The trial's number, 0 for an ordinary request.</param>
internal readonly record struct CircuitPass(long Trial)
{
    public bool IsTrial => Trial != 0;
}

/// <summary>What a call changed about a circuit, for the log.</summary>
internal enum CircuitChange
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>A closed circuit opened: too many consecutive failures.</summary>
    Opened,

    /// <summary>An open circuit let its trial request through (half-open).</summary>
    TrialStarted,

    /// <summary>The trial failed: the circuit is open for another break.</summary>
    Reopened,

    /// <summary>The trial was given back unanswered (cancelled): the next request may be the trial.</summary>
    TrialAbandoned,

    /// <summary>An open circuit closed: a request succeeded.</summary>
    Closed,
}

/// <summary>
/// Per-endpoint circuit breaker: after <c>threshold</c> consecutive failures the endpoint gets no requests for
/// <c>breakDuration</c>; then one trial request is let through, whose success closes the circuit and whose failure
/// opens it again. Every request holds the <see cref="CircuitPass"/> it entered with and reports its outcome with
/// it, so only the trial itself can end or give back the trial: an ordinary request that entered while the circuit
/// was closed and ends late (cancelled, failed) never lets a second trial through.
/// </summary>
internal sealed class CircuitBreaker(int threshold, TimeSpan breakDuration)
{
    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset? _openUntil;
    private long _trial;      // the trial in flight, 0 when none
    private long _lastTrial;  // numbers trials, so a stale pass never matches a later trial

    /// <summary>True while requests are kept away (open, or half-open with its trial under way).</summary>
    public bool IsOpen(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _openUntil is { } until && (now < until || _trial != 0);
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

    /// <summary>Claims the right to send one request now; false while open or while the trial is under way.</summary>
    public bool TryEnter(DateTimeOffset now, out CircuitPass pass, out CircuitChange change)
    {
        lock (_lock)
        {
            change = CircuitChange.None;
            pass = default;
            if (_openUntil is not { } until)
            {
                return true;
            }
            if (now < until || _trial != 0)
            {
                return false;
            }
            _trial = ++_lastTrial;
            pass = new CircuitPass(_trial);
            change = CircuitChange.TrialStarted;
            return true;
        }
    }

    /// <summary>The request got an answer that shows the endpoint works (a success, or a 4xx about the request itself).</summary>
    /// <remarks>Any request's answer closes the circuit, the trial's or a late one of a request that entered before it opened.</remarks>
    public CircuitChange RecordSuccess()
    {
        lock (_lock)
        {
            var wasOpen = _openUntil is not null;
            _failures = 0;
            _openUntil = null;
            _trial = 0;
            return wasOpen ? CircuitChange.Closed : CircuitChange.None;
        }
    }

    /// <summary>The request failed (no answer, a retryable status, an unusable response).</summary>
    public CircuitChange RecordFailure(CircuitPass pass, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (pass.IsTrial && pass.Trial == _trial)
            {
                _trial = 0;
                _openUntil = now + breakDuration;
                return CircuitChange.Reopened;
            }
            if (_openUntil is not null)
            {
                // A request that entered before the circuit opened (or a stale trial) ends late: the circuit is
                // already open, and its trial, if one is under way, is not this request's to end.
                return CircuitChange.None;
            }
            _failures++;
            if (_failures >= threshold)
            {
                _openUntil = now + breakDuration;
                return CircuitChange.Opened;
            }
            return CircuitChange.None;
        }
    }

    /// <summary>The request ended without an outcome (the caller cancelled it): a trial it held is given back.</summary>
    public CircuitChange Abandon(CircuitPass pass)
    {
        lock (_lock)
        {
            if (pass.IsTrial && pass.Trial == _trial)
            {
                _trial = 0;
                return CircuitChange.TrialAbandoned;
            }
            return CircuitChange.None;
        }
    }
}
