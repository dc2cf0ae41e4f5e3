using CultureProbe.Remote.Transport;
using Shouldly;

namespace CultureProbe.Remote.Tests.Transport;

/// <summary>The breaker alone, driven step by step with explicit times: no server, no timing, no luck.</summary>
public sealed class CircuitBreakerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    private static CircuitPass Enter(CircuitBreaker breaker, DateTimeOffset now, CircuitChange expected = CircuitChange.None)
    {
        breaker.TryEnter(now, out var pass, out var change).ShouldBeTrue();
        change.ShouldBe(expected);
        return pass;
    }

    private static void Refused(CircuitBreaker breaker, DateTimeOffset now) => breaker.TryEnter(now, out _, out _).ShouldBeFalse();

    [Fact]
    public void Opens_after_the_threshold_of_consecutive_failures_and_a_success_resets_the_count()
    {
        var breaker = new CircuitBreaker(3, Break);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.None);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.None);
        breaker.RecordSuccess().ShouldBe(CircuitChange.None);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.None);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.None);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.Opened);
        breaker.IsOpen(T0).ShouldBeTrue();
        Refused(breaker, T0 + Break - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void After_the_break_one_trial_goes_through_and_its_success_closes_the_circuit()
    {
        var breaker = new CircuitBreaker(1, Break);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.Opened);
        var later = T0 + Break;
        var trial = Enter(breaker, later, CircuitChange.TrialStarted);
        trial.IsTrial.ShouldBeTrue();
        Refused(breaker, later);
        breaker.IsOpen(later).ShouldBeTrue("half-open with its trial under way");
        breaker.RecordSuccess().ShouldBe(CircuitChange.Closed);
        Enter(breaker, later).IsTrial.ShouldBeFalse();
        Enter(breaker, later).IsTrial.ShouldBeFalse();
    }

    [Fact]
    public void A_failed_trial_opens_the_circuit_for_another_break()
    {
        var breaker = new CircuitBreaker(1, Break);
        breaker.RecordFailure(Enter(breaker, T0), T0);
        var later = T0 + Break;
        breaker.RecordFailure(Enter(breaker, later, CircuitChange.TrialStarted), later).ShouldBe(CircuitChange.Reopened);
        Refused(breaker, later + Break - TimeSpan.FromTicks(1));
        Enter(breaker, later + Break, CircuitChange.TrialStarted);
    }

    [Fact]
    public void A_cancelled_trial_is_given_back_so_the_next_request_is_the_trial()
    {
        var breaker = new CircuitBreaker(1, Break);
        breaker.RecordFailure(Enter(breaker, T0), T0);
        var later = T0 + Break;
        var trial = Enter(breaker, later, CircuitChange.TrialStarted);
        breaker.Abandon(trial).ShouldBe(CircuitChange.TrialAbandoned);
        Enter(breaker, later, CircuitChange.TrialStarted);
        Refused(breaker, later);
    }

    [Fact]
    public void A_cancelled_ordinary_request_never_lets_a_second_trial_through()
    {
        // Issue 13, item 10: Abandon used to clear the trial flag whoever called it. Request A enters while the
        // circuit is closed and is still in flight when B's failure opens it; after the break C is the one trial;
        // then A is cancelled. A must not give back C's trial, so D is refused while C is under way.
        var breaker = new CircuitBreaker(1, Break);
        var a = Enter(breaker, T0);
        var b = Enter(breaker, T0);
        breaker.RecordFailure(b, T0).ShouldBe(CircuitChange.Opened);
        var later = T0 + Break;
        Enter(breaker, later, CircuitChange.TrialStarted); // C

        breaker.Abandon(a).ShouldBe(CircuitChange.None);

        Refused(breaker, later);
        breaker.IsOpen(later).ShouldBeTrue();
        breaker.RecordSuccess().ShouldBe(CircuitChange.Closed); // C's answer
    }

    [Fact]
    public void A_late_failure_of_an_ordinary_request_neither_ends_the_trial_nor_extends_the_break()
    {
        var breaker = new CircuitBreaker(1, Break);
        var a = Enter(breaker, T0);
        breaker.RecordFailure(Enter(breaker, T0), T0).ShouldBe(CircuitChange.Opened);
        var later = T0 + Break;
        var trial = Enter(breaker, later, CircuitChange.TrialStarted);

        breaker.RecordFailure(a, later).ShouldBe(CircuitChange.None);

        Refused(breaker, later);
        breaker.OpenUntil.ShouldBe(T0 + Break, "the break is the one the opening set");
        breaker.RecordFailure(trial, later).ShouldBe(CircuitChange.Reopened);
        breaker.OpenUntil.ShouldBe(later + Break);
    }

    [Fact]
    public void A_stale_trial_pass_does_not_touch_a_later_trial()
    {
        var breaker = new CircuitBreaker(1, Break);
        breaker.RecordFailure(Enter(breaker, T0), T0);
        var t1 = T0 + Break;
        var first = Enter(breaker, t1, CircuitChange.TrialStarted);
        breaker.RecordFailure(first, t1).ShouldBe(CircuitChange.Reopened);
        var t2 = t1 + Break;
        Enter(breaker, t2, CircuitChange.TrialStarted);

        breaker.Abandon(first).ShouldBe(CircuitChange.None);
        breaker.RecordFailure(first, t2).ShouldBe(CircuitChange.None);

        Refused(breaker, t2);
    }
}
