namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// One Cloud Tasks queue of <see cref="FakeCloudTasks"/>: its name and the queue's <c>rateLimits</c> and
/// <c>retryConfig</c>, with the defaults Cloud Tasks gives a queue created without them (500 dispatches a second,
/// 1,000 concurrent, 100 attempts, backoff 0.1 s to 3,600 s with 16 doublings, no age limit).
/// </summary>
public sealed record FakeTaskQueueSettings
{
    /// <summary><c>projects/P/locations/L/queues/Q</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The token bucket's refill rate (Cloud Tasks allows at most 500).</summary>
    public double MaxDispatchesPerSecond { get; init; } = 500;

    /// <summary>
    /// The bucket's size: dispatches that may start at once after an idle spell. Output only in Cloud Tasks,
    /// which picks it from the rate without saying how (100 for 500/s); null here: the rate rounded up, 1 to 100.
    /// </summary>
    public int? MaxBurstSize { get; init; }

    /// <summary>Dispatches in flight at most (Cloud Tasks allows at most 5,000).</summary>
    public int MaxConcurrentDispatches { get; init; } = 1000;

    /// <summary>Attempts per task, the first included; -1: no limit on attempts.</summary>
    public int MaxAttempts { get; init; } = 100;

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(3600);

    public int MaxDoublings { get; init; } = 16;

    /// <summary>How long after its first attempt a failing task is retried; zero: no limit on age.</summary>
    public TimeSpan MaxRetryDuration { get; init; }

    /// <summary>A queue can be created paused; <see cref="FakeCloudTasks.Resume"/> starts it.</summary>
    public bool Paused { get; init; }

    public int BurstSize => MaxBurstSize ?? (int)Math.Clamp(Math.Ceiling(MaxDispatchesPerSecond), 1, 100);

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (1 for the first), as Cloud Tasks documents it: from
    /// MinBackoff, doubling MaxDoublings times, then growing linearly by the last doubled step, capped at
    /// MaxBackoff. With 10 s, 300 s and 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300 s.
    /// </summary>
    public TimeSpan Backoff(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var doublings = Math.Min(retry - 1, MaxDoublings);
        var doubled = MinBackoff.TotalSeconds * Math.Pow(2, doublings);
        var linear = retry - 1 > MaxDoublings ? (retry - 1 - MaxDoublings) * MinBackoff.TotalSeconds * Math.Pow(2, MaxDoublings) : 0;
        return TimeSpan.FromSeconds(Math.Min(doubled + linear, MaxBackoff.TotalSeconds));
    }

    /// <summary>
    /// Whether a task that failed its <paramref name="attempts"/>th attempt is deleted: Cloud Tasks stops only when
    /// every limit that is set is reached (attempts, and age since the first attempt). With neither set a task is
    /// retried until the task retention limit.
    /// </summary>
    public bool GivesUp(int attempts, TimeSpan sinceFirstAttempt)
    {
        var attemptsSet = MaxAttempts != -1;
        var ageSet = MaxRetryDuration > TimeSpan.Zero;
        return (attemptsSet || ageSet)
            && (!attemptsSet || attempts >= MaxAttempts)
            && (!ageSet || sinceFirstAttempt >= MaxRetryDuration);
    }

    internal void Validate()
    {
        if (!FakeCloudTasks.IsQueueName(Name))
        {
            throw new ArgumentException($"'{Name}' is not a queue name (projects/P/locations/L/queues/Q).", nameof(Name));
        }

        if (MaxDispatchesPerSecond is <= 0 or > 500 || MaxConcurrentDispatches is < 1 or > 5000 || BurstSize is < 1 or > 500)
        {
            throw new ArgumentException("Rate limits outside what Cloud Tasks accepts: 0 < maxDispatchesPerSecond <= 500, 1 <= maxConcurrentDispatches <= 5000, 1 <= maxBurstSize <= 500.");
        }

        if (MaxAttempts < -1 || MaxAttempts == 0 || MaxDoublings < 0 || MinBackoff < TimeSpan.Zero || MaxBackoff < MinBackoff || MaxRetryDuration < TimeSpan.Zero)
        {
            throw new ArgumentException("Retry config outside what Cloud Tasks accepts: maxAttempts -1 or >= 1, maxDoublings >= 0, 0 <= minBackoff <= maxBackoff, maxRetryDuration >= 0.");
        }
    }
}
