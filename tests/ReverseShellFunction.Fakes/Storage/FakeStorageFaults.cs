namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// Faults a test arms before it acts. Each applies to the next matching request(s) and is then used up, except
/// <see cref="FailAlways"/>. Thread-safe.
/// </summary>
public sealed class FakeStorageFaults
{
    private readonly Lock _lock = new();
    private readonly List<FakeFault> _faults = [];
    private int _misreportHashes;
    private int _corruptUploads;
    private int _corruptDownloads;

    /// <summary>
    /// Answers <paramref name="times"/> requests of this kind with an error status (503, 429, 408…), after letting
    /// <paramref name="after"/> of them through.
    /// </summary>
    public void FailNext(FakeStorageOperation operation, int statusCode, int times = 1, int after = 0) =>
        Add(new FakeFault(operation, FakeFaultKind.Status, statusCode, TimeSpan.Zero, times, after));

    /// <summary>Answers every request of this kind with an error status, until <see cref="Clear"/>.</summary>
    public void FailAlways(FakeStorageOperation operation, int statusCode) =>
        Add(new FakeFault(operation, FakeFaultKind.Status, statusCode, TimeSpan.Zero, int.MaxValue));

    /// <summary>
    /// Reads part of a request's body, then aborts the connection without an answer; after letting
    /// <paramref name="after"/> requests of this kind through (e.g. the third chunk of an upload).
    /// </summary>
    public void DropConnectionNext(FakeStorageOperation operation, int times = 1, int after = 0) =>
        Add(new FakeFault(operation, FakeFaultKind.Drop, 0, TimeSpan.Zero, times, after));

    /// <summary>Waits this long before handling the next request(s) of this kind.</summary>
    public void DelayNext(FakeStorageOperation operation, TimeSpan delay, int times = 1) =>
        Add(new FakeFault(operation, FakeFaultKind.Delay, 0, delay, times));

    /// <summary>The next completed upload is stored intact but answered with wrong md5Hash and crc32c.</summary>
    public void MisreportHashesNext() => Interlocked.Increment(ref _misreportHashes);

    /// <summary>The next completed upload has one byte flipped on arrival, as if damaged in transit.</summary>
    public void CorruptNextUpload() => Interlocked.Increment(ref _corruptUploads);

    /// <summary>The next <paramref name="times"/> downloads send one byte flipped, with the stored object's true hashes.</summary>
    public void CorruptNextDownload(int times = 1) => Interlocked.Add(ref _corruptDownloads, times);

    public void Clear()
    {
        lock (_lock)
        {
            _faults.Clear();
        }

        _misreportHashes = 0;
        _corruptUploads = 0;
        _corruptDownloads = 0;
    }

    internal FakeFault? Take(FakeStorageOperation operation)
    {
        lock (_lock)
        {
            var index = _faults.FindIndex(f => f.Operation == operation);
            if (index < 0)
            {
                return null;
            }

            var fault = _faults[index];
            if (fault.Skip > 0)
            {
                _faults[index] = fault with { Skip = fault.Skip - 1 };
                return null;
            }

            if (fault.Remaining == 1)
            {
                _faults.RemoveAt(index);
            }
            else if (fault.Remaining != int.MaxValue)
            {
                _faults[index] = fault with { Remaining = fault.Remaining - 1 };
            }

            return fault;
        }
    }

    internal bool TakeMisreportHashes() => TakeOne(ref _misreportHashes);

    internal bool TakeCorruptUpload() => TakeOne(ref _corruptUploads);

    internal bool TakeCorruptDownload() => TakeOne(ref _corruptDownloads);

    private static bool TakeOne(ref int counter)
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref counter);
            if (seen == 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref counter, seen - 1, seen) != seen);
        return true;
    }

    private void Add(FakeFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Remaining, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(fault.Skip);
        lock (_lock)
        {
            _faults.Add(fault);
        }
    }
}
