using System.Collections.Concurrent;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>
/// Shares identical <c>entries:list</c> pages within this instance. Findings on one service in one minute ask for
/// the same filter (their windows are rounded to whole minutes), and Cloud Logging allows 60 reads a minute per
/// project: concurrent deliveries wait on one in-flight read, and a page read in the last <see cref="Reuse"/> is
/// answered from memory, up to <see cref="MaxCachedBytes"/> in total.
/// </summary>
public sealed class LogReadCoalescer(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ChunkedBytes>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ChunkedBytes Page, DateTimeOffset Until)> _recent = new(StringComparer.Ordinal);
    private long _cachedBytes;
    private long _reads;
    private long _shared;

    /// <summary>How long a finished page answers identical requests; a minute, the quota's own period.</summary>
    public TimeSpan Reuse { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Memory the recent pages may hold together; past it, pages are shared only while in flight.</summary>
    public long MaxCachedBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>False turns sharing off: every request is its own read (to measure what sharing saves).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Reads that went to the API.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Requests answered by another request's read.</summary>
    public long Shared => Interlocked.Read(ref _shared);

    /// <summary>
    /// The page for <paramref name="key"/>, read with <paramref name="read"/> once for everyone asking at the same
    /// time. The read itself does not follow any one caller's cancellation (another caller may still need it; each
    /// attempt has its own timeout); a caller whose token fires stops waiting. A failure reaches every waiter and
    /// is not kept.
    /// </summary>
    internal async Task<ChunkedBytes> GetAsync(string key, Func<CancellationToken, Task<ChunkedBytes>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!Enabled)
        {
            Charge();
            Interlocked.Increment(ref _reads);
            return await read(cancellationToken);
        }

        var now = time.GetUtcNow();
        if (_recent.TryGetValue(key, out var recent))
        {
            if (recent.Until > now)
            {
                Interlocked.Increment(ref _shared);
                return recent.Page;
            }

            Forget(key, recent);
        }

        var mine = new Lazy<Task<ChunkedBytes>>(() => ReadOnceAsync(key, read));
        var current = _inFlight.GetOrAdd(key, mine);
        if (!ReferenceEquals(current, mine))
        {
            Interlocked.Increment(ref _shared);
        }

        return await current.Value.WaitAsync(cancellationToken);
    }

    private static void Charge()
    {
        if (ReadAllowance.Current is { } allowance && !allowance.TryTake())
        {
            throw new ReadAllowanceSpentException(allowance.Reads);
        }
    }

    private async Task<ChunkedBytes> ReadOnceAsync(string key, Func<CancellationToken, Task<ChunkedBytes>> read)
    {
        try
        {
            // An identical read may have finished between the caller's look at the recent pages and its own entry
            // here: a page is recent before its read leaves the in-flight ones, so it is found now, not read again.
            if (_recent.TryGetValue(key, out var recent) && recent.Until > time.GetUtcNow())
            {
                Interlocked.Increment(ref _shared);
                return recent.Page;
            }

            // Only a read that is sent is charged to the dispatch, before it is sent; everyone waiting on it shares it.
            Charge();
            Interlocked.Increment(ref _reads);
            var page = await read(CancellationToken.None);
            Remember(key, page);
            return page;
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private void Remember(string key, ChunkedBytes page)
    {
        SweepExpired();
        if (Interlocked.Add(ref _cachedBytes, page.Length) > MaxCachedBytes)
        {
            Interlocked.Add(ref _cachedBytes, -page.Length);
            return;
        }

        if (!_recent.TryAdd(key, (page, time.GetUtcNow() + Reuse)))
        {
            Interlocked.Add(ref _cachedBytes, -page.Length);
        }
    }

    private void SweepExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (key, value) in _recent)
        {
            if (value.Until <= now)
            {
                Forget(key, value);
            }
        }
    }

    private void Forget(string key, (ChunkedBytes Page, DateTimeOffset Until) value)
    {
        if (_recent.TryRemove(new KeyValuePair<string, (ChunkedBytes, DateTimeOffset)>(key, value)))
        {
            Interlocked.Add(ref _cachedBytes, -value.Page.Length);
        }
    }
}
