using System.Collections.Concurrent;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>
/// A clock for the retry pipeline whose waits are recorded and skipped, so retry tests never sleep. Polly arms the
/// per-attempt timeout on a timer created idle (due never) and set later: those timers stay real.
/// </summary>
internal sealed class RecordedDelays(Action? onDelay = null) : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyList<TimeSpan> Delays => [.. _delays];

    public RetryPolicy Policy(TimeSpan? attemptTimeout = null) => new()
    {
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
        Randomizer = () => 0.5,
        TimeProvider = this,
    };

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return System.CreateTimer(callback, state, dueTime, period);
        }

        _delays.Enqueue(dueTime);
        if (onDelay is null)
        {
            callback(state);
        }
        else
        {
            // The wait ends only through what onDelay does (a cancellation).
            onDelay();
        }

        return System.CreateTimer(static _ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }
}
