namespace CultureProbe.Remote.Tests.Fakes;

/// <summary>
/// A clock whose timers fire at once and move virtual time forward by their due time, recording each
/// delay: backoff and Retry-After waits are checked without sleeping.
/// </summary>
public sealed class VirtualTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public List<TimeSpan> Delays { get; } = [];

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (Delays)
            {
                Delays.Add(dueTime);
            }
        }
        return new Immediate(this, callback, state, dueTime);
    }

    private sealed class Immediate : ITimer
    {
        private readonly Timer _timer;

        public Immediate(VirtualTimeProvider owner, TimerCallback callback, object? state, TimeSpan dueTime)
        {
            _timer = new Timer(_ =>
            {
                Interlocked.Add(ref owner._ticks, dueTime.Ticks);
                callback(state);
            }, null, dueTime == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => _timer.Change(dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        public void Dispose() => _timer.Dispose();

        public ValueTask DisposeAsync() => _timer.DisposeAsync();
    }
}
