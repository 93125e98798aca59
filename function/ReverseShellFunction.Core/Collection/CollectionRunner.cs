using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ReverseShellFunction.Collection;

/// <summary>
/// Runs every collector concurrently under one deadline. A collector that throws or overruns is recorded as
/// failed or partial; it never stops the others or the bundle.
/// </summary>
public sealed class CollectionRunner(IEnumerable<ICollector> collectors, CollectionOptions options, TimeProvider time, ILogger<CollectionRunner> logger)
{
    private readonly IReadOnlyList<ICollector> _collectors = [.. collectors];

    /// <summary>The windows, caps and deadlines the collectors run with.</summary>
    public CollectionOptions Options => options;

    /// <summary>The collectors' names, in the manifest's order.</summary>
    public IReadOnlyList<string> Names => [.. _collectors.Select(c => c.Name).Order(StringComparer.Ordinal)];

    /// <param name="only">At a completion: the collectors the previous part left outstanding; null runs all.</param>
    /// <param name="stopAt">
    /// At a delivery: when its budget makes the collectors stop (<see cref="Pipeline.DeliveryBudget.CollectUntil"/>),
    /// if before the deadline. A collector stopped then is due again at once: it was cut short, not refused.
    /// </param>
    public async Task<IReadOnlyList<CollectorReport>> RunAsync(
        CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken, IReadOnlySet<string>? only = null, DateTimeOffset? stopAt = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = new Limit($"collection deadline of {options.Deadline.TotalSeconds:0.###}s", null);
        var after = options.Deadline;
        if (stopAt is { } stop && stop - time.GetUtcNow() < after)
        {
            var left = stop - time.GetUtcNow();
            after = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            limit = new Limit("delivery budget (DELIVERY_BUDGET_SECONDS)", TimeSpan.Zero);
        }

        deadline.CancelAfter(after);
        var reports = await Task.WhenAll(_collectors
            .Where(c => only is null || only.Contains(c.Name))
            .Select(c => RunOneAsync(c, context, evidence, limit, deadline.Token, cancellationToken)));
        return [.. reports.OrderBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>What stops the collection: its name for the reports, and how soon a collector it cut runs again (null: the backoff).</summary>
    private sealed record Limit(string Name, TimeSpan? RetryAfter);

    private async Task<CollectorReport> RunOneAsync(
        ICollector collector,
        CollectionContext context,
        IEvidenceWriter evidence,
        Limit collectionLimit,
        CancellationToken deadlineToken,
        CancellationToken requestToken)
    {
        var startedAt = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadlineToken);
        timeout.CancelAfter(options.CollectorTimeout);
        try
        {
            // Yield first so a collector that blocks synchronously cannot hold up the others.
            await Task.Yield();
            var report = await collector.CollectAsync(context, evidence, timeout.Token);
            if (report.RetryLater && deadlineToken.IsCancellationRequested && !requestToken.IsCancellationRequested)
            {
                // It ended on the collection's limit (a report, not an exception): due again as that limit says.
                report = report with { RetryAfter = collectionLimit.RetryAfter };
            }

            return report with { StartedAt = report.StartedAt ?? startedAt, DurationMs = report.DurationMs ?? clock.ElapsedMilliseconds };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !requestToken.IsCancellationRequested)
        {
            var limit = deadlineToken.IsCancellationRequested
                ? collectionLimit.Name
                : $"collector timeout of {options.CollectorTimeout.TotalSeconds:0.###}s";
            logger.LogWarning("Collector {Collector} stopped at the {Limit}", collector.Name, limit);
            return Ended(CollectorStatus.Partial, $"{limit} reached; files written so far are kept, and a later part runs it again") with
            {
                RetryLater = true,
                RetryAfter = deadlineToken.IsCancellationRequested ? collectionLimit.RetryAfter : null,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Collector {Collector} failed", collector.Name);
            return Ended(CollectorStatus.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }

        // The report for a collector that ended in an exception instead of a report of its own.
        CollectorReport Ended(CollectorStatus status, string reason) =>
            new() { Name = collector.Name, Status = status, Reason = reason, StartedAt = startedAt, DurationMs = clock.ElapsedMilliseconds };
    }
}
