using System.Collections.Concurrent;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>A retry policy whose waits are recorded and skipped, so retry tests never sleep.</summary>
internal sealed class RecordedDelays
{
    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyList<TimeSpan> Delays => [.. _delays];

    public RetryPolicy Policy(TimeSpan? attemptTimeout = null) => new()
    {
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
        Random = () => 0.5,
        Delay = (delay, cancellationToken) =>
        {
            _delays.Enqueue(delay);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        },
    };
}
