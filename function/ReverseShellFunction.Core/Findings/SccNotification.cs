namespace ReverseShellFunction.Findings;

/// <summary>
/// A decoded SCC <c>NotificationMessage</c>: the typed view plus the exact bytes that arrived, which are
/// what the bundle stores as <c>notification.json</c>.
/// </summary>
public sealed record SccNotification
{
    public string? NotificationConfigName { get; init; }
    public required SccFinding Finding { get; init; }
    public SccResource? Resource { get; init; }
    public required ReadOnlyMemory<byte> RawJson { get; init; }

    /// <summary>The finding's event time, parsed; the raw string stays in <see cref="SccFinding.EventTime"/>.</summary>
    public required DateTimeOffset EventTime { get; init; }
}
