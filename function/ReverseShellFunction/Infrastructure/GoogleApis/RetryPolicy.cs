using Polly;
using Polly.Retry;
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

    /// <summary>How long one attempt may take, token, headers and body; the collection deadline still bounds the total.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A server's Retry-After is honoured up to this; the deadline cuts longer waits anyway.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the waits and of the per-attempt timeouts (Polly's); tests give one that skips the waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>A number in [0, 1) for the jitter (Polly's randomizer); tests fix it.</summary>
    public Func<double> Randomizer { get; init; } = Random.Shared.NextDouble;

    public static bool IsRetryable(int statusCode) => statusCode == 429 || statusCode >= 500;

    /// <summary>
    /// The wait before attempt <paramref name="nextAttempt"/> (2 for the first retry): <see cref="Backoff"/>, with
    /// equal jitter. A Retry-After from the server wins when it asks for longer.
    /// </summary>
    public TimeSpan BackoffBefore(int nextAttempt, TimeSpan? retryAfter)
    {
        var jittered = Backoff.EqualJitter(Backoff.Exponential(InitialBackoff, Multiplier, MaxBackoff, nextAttempt - 1), Randomizer());
        if (retryAfter is { } asked && asked > jittered)
        {
            return asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }

        return jittered;
    }

    /// <summary>
    /// Polly's retry on these numbers, on <see cref="TimeProvider"/>: up to <see cref="MaxAttempts"/> attempts while
    /// <paramref name="retryable"/> accepts the failure, each wait <see cref="BackoffBefore"/> (with the failure's
    /// <paramref name="retryAfter"/>), told to <paramref name="onRetry"/> (failure, attempt that failed, wait) first.
    /// </summary>
    internal ResiliencePipelineBuilder Retries(
        Func<Exception, bool> retryable, Action<Exception, int, TimeSpan> onRetry, Func<Exception, TimeSpan?>? retryAfter = null) =>
        new ResiliencePipelineBuilder { TimeProvider = TimeProvider }.AddRetry(new RetryStrategyOptions
        {
            // Polly counts retries, from 0, and wants at least one.
            MaxRetryAttempts = Math.Max(1, MaxAttempts - 1),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && args.AttemptNumber + 1 < MaxAttempts && retryable(ex)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(BackoffBefore(args.AttemptNumber + 2, retryAfter?.Invoke(args.Outcome.Exception!))),
            OnRetry = args =>
            {
                onRetry(args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        });
}
