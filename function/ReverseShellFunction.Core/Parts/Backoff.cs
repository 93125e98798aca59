namespace ReverseShellFunction.Parts;

/// <summary>
/// The one backoff formula of the program, for the three waits that stay hand-written, each for a limit a user
/// meets: a completion part after a 429 or a store failure (Logging's read quota refills per minute, so the wait
/// starts at 60 s and doubles: a sooner retry spends the next minute's quota and fails again, docs/collectors.md),
/// a Google REST read inside a delivery (Pub/Sub's push deadline leaves seconds, so 0.5 s doubling to 8 s), and a
/// Cloud Storage upload or download (the client's RetryOptions cover neither in 5.0.0, docs/storage.md).
/// </summary>
public static class Backoff
{
    /// <summary>The wait before retry <paramref name="retry"/> (1 for the first): <paramref name="first"/> × <paramref name="multiplier"/>^(retry − 1), at most <paramref name="max"/>.</summary>
    public static TimeSpan Exponential(TimeSpan first, double multiplier, TimeSpan max, int retry) =>
        TimeSpan.FromMilliseconds(Math.Min(first.TotalMilliseconds * Math.Pow(multiplier, Math.Max(0, retry - 1)), max.TotalMilliseconds));

    /// <summary>
    /// "Equal jitter": half of <paramref name="wait"/> fixed and half scaled by <paramref name="random"/> in [0, 1),
    /// so callers that failed together spread out but none retries at once.
    /// </summary>
    public static TimeSpan EqualJitter(TimeSpan wait, double random) =>
        TimeSpan.FromMilliseconds((wait.TotalMilliseconds / 2) + (wait.TotalMilliseconds / 2 * random));
}
