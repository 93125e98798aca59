namespace ReverseShellFunction.Collection;

/// <summary>
/// The time range a collector actually covered, next to the range it was configured for. They differ when the
/// configured window had not closed at collection time (its end lies after now minus the ingestion delay), so
/// a reader sees what is missing rather than trusting the configured window.
/// </summary>
public sealed record CollectionWindow(DateTimeOffset From, DateTimeOffset To, DateTimeOffset ConfiguredFrom, DateTimeOffset ConfiguredTo)
{
    /// <summary>True when the configured window reaches past what was covered.</summary>
    public bool IsOpen => ConfiguredTo > To;
}
