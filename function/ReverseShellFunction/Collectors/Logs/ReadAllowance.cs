using ReverseShellFunction.Collection;
using ReverseShellFunction.Parts;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>
/// The <c>entries:list</c> calls one completion dispatch may send to Cloud Logging, its own part and the sibling
/// parts it runs together: the number Terraform sizes the completion queue's rate by (two windows of
/// <see cref="LogEntriesDownload.MaxCalls"/> each, terraform/completion.tf <c>completion_reads_per_dispatch</c>).
/// Reads answered by another request's page (<see cref="LogReadCoalescer"/>) cost nothing; a read past the allowance
/// is refused before it is sent (<see cref="ReadAllowanceSpentException"/>), so the queue's plan-time check against
/// the Logging quota is a true bound, siblings included.
/// </summary>
public sealed class ReadAllowance : IReadAllowance
{
    private static readonly AsyncLocal<ReadAllowance?> s_current = new();
    private int _left;

    public ReadAllowance(int reads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reads);
        Reads = reads;
        _left = reads;
    }

    /// <summary>The reads one dispatch may send for the given LOG_MAX_ENTRIES.</summary>
    public static ReadAllowance ForDispatch(long logMaxEntries) => new(2 * LogEntriesDownload.MaxCalls(logMaxEntries));

    /// <summary>The allowance of the dispatch this code runs in, if any (deliveries and the embedded runner have none).</summary>
    public static ReadAllowance? Current => s_current.Value;

    public int Reads { get; }

    /// <summary>Reads still allowed.</summary>
    public int Left => Math.Max(0, Volatile.Read(ref _left));

    /// <summary>Makes this the allowance of the calling async flow and everything it starts from now on.</summary>
    public void Apply() => s_current.Value = this;

    /// <summary>Takes one read; false when none is left (nothing is taken then).</summary>
    internal bool TryTake()
    {
        while (true)
        {
            var left = Volatile.Read(ref _left);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _left, left - 1, left) == left)
            {
                return true;
            }
        }
    }
}

/// <summary>Each completion dispatch's <see cref="ReadAllowance"/>, for the LOG_MAX_ENTRIES in force.</summary>
public sealed class DispatchReads(CollectionOptions collection) : IDispatchReads
{
    public IReadAllowance Start()
    {
        var allowance = ReadAllowance.ForDispatch(collection.LogMaxEntries);
        allowance.Apply();
        return allowance;
    }
}

/// <summary>A Logging read refused before it was sent: the dispatch's <see cref="ReadAllowance"/> is spent.</summary>
public sealed class ReadAllowanceSpentException(int reads)
    : Exception($"this completion's {reads} entries:list calls (the bound the completion queue's rate is sized by) are spent")
{
    public int Reads { get; } = reads;
}
