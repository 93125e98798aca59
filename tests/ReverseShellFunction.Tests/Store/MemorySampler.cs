namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// While an operation runs, samples every 25 ms the live managed heap (after a forced full collection, so garbage
/// the GC has not yet reclaimed does not count) and the working set, and keeps the peaks; also counts the bytes
/// allocated meanwhile, live or not. A measurement aid, not a synchronization device: the forced collections slow
/// the operation down, so time it elsewhere.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _liveBefore;
    private readonly long _workingSetBefore;
    private readonly long _allocatedBefore;
    private long _peakLive;
    private long _peakWorkingSet;

    private MemorySampler()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _liveBefore = GC.GetTotalMemory(forceFullCollection: true);
        _workingSetBefore = Environment.WorkingSet;
        _allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        _peakLive = _liveBefore;
        _peakWorkingSet = _workingSetBefore;
        _loop = Task.Run(SampleAsync);
    }

    public static MemorySampler Start() => new();

    /// <summary>Stops sampling: peak growth of the live heap and the working set, and bytes allocated meanwhile.</summary>
    public async Task<MemoryUse> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
        return new MemoryUse(
            _peakLive - _liveBefore,
            _peakWorkingSet - _workingSetBefore,
            GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Sample();
            try
            {
                await Task.Delay(25, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Sample()
    {
        InterlockedMax(ref _peakLive, GC.GetTotalMemory(forceFullCollection: true));
        InterlockedMax(ref _peakWorkingSet, Environment.WorkingSet);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

/// <summary>Growth over the baseline, in bytes.</summary>
internal sealed record MemoryUse(long PeakLiveGrowth, long PeakWorkingSetGrowth, long Allocated)
{
    public override string ToString() =>
        $"peak live heap +{Mib(PeakLiveGrowth)} MiB, peak working set +{Mib(PeakWorkingSetGrowth)} MiB, allocated {Mib(Allocated)} MiB";

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
