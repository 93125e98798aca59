using ReverseShellFunction.Parts;

namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// When and how long to wait between attempts of one idempotent read. Every call the collectors make is a
/// read, so 429, 5xx, timeouts and transport errors are all safe to repeat; other 4xx never get better.
/// </summary>
public sealed class RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    public double Multiplier { get; init; } = 2;

    /// <summary>How long one attempt may take, headers and body; the collection deadline still bounds the total.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A server's Retry-After is honoured up to this; the deadline cuts longer waits anyway.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seam for tests: how a wait is done. Default <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>Seam for tests: a number in [0, 1).</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    public static bool IsRetryable(int statusCode) => statusCode == 429 || statusCode >= 500;

    /// <summary>
    /// The wait before attempt <paramref name="nextAttempt"/> (2 for the first retry): <see cref="Backoff"/>, with
    /// equal jitter. A Retry-After from the server wins when it asks for longer.
    /// </summary>
    public TimeSpan BackoffBefore(int nextAttempt, TimeSpan? retryAfter)
    {
        var jittered = Backoff.EqualJitter(Backoff.Exponential(InitialBackoff, Multiplier, MaxBackoff, nextAttempt - 1), Random());
        if (retryAfter is { } asked && asked > jittered)
        {
            return asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }

        return jittered;
    }
}
