using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
namespace ReverseShellFunction.Hosting;

/// <summary>Wakes the embedded runner when a part is scheduled in this process, so it need not poll often.</summary>
internal sealed class CompletionWakeup : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal(CompletionTask task)
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up re-reads every record.
        }
    }

    /// <summary>Waits until signalled or <paramref name="timeout"/> passes.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// <c>serve</c> without Cloud Tasks: runs due completions from the pending records, sleeping until the next one is
/// due (at most <see cref="s_maxSleep"/>, so records written by another process are seen too). Records survive a
/// restart, so a completion due while the service was down runs when it starts.
/// </summary>
internal sealed class EmbeddedCompletionService(CompletionRunner runner, CompletionWakeup wakeup, TimeProvider time, ILogger<EmbeddedCompletionService> logger) : BackgroundService
{
    /// <summary>Parallel completions; each makes a few log reads, and the Logging quota is per project.</summary>
    public const int Concurrency = 4;

    private static readonly TimeSpan s_maxSleep = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = s_maxSleep;
            try
            {
                var pass = await runner.RunDueAsync(Concurrency, stoppingToken);
                if (pass.Remaining.Count > 0)
                {
                    var next = pass.Remaining.Min(p => p.Due) - time.GetUtcNow();
                    sleep = next < TimeSpan.Zero ? TimeSpan.Zero : next < s_maxSleep ? next : s_maxSleep;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store may be down; the records stay, and the next pass tries again.
                logger.LogError(ex, "The completion runner's pass failed; retrying in {Seconds} s", s_maxSleep.TotalSeconds);
            }

            try
            {
                // A small pause even when something is due at once, so a failing store is not spun on.
                await wakeup.WaitAsync(sleep < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : sleep, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
