
namespace ReverseShellFunction.Bundle;

/// <summary>The answer for one delivery: the HTTP body and the replay command's output.</summary>
public sealed record PipelineResult
{
    public required PipelineOutcome Outcome { get; init; }
    public required string Reason { get; init; }
    public string? BundleId { get; init; }

    /// <summary>The object written: the bundle's index entry, or the quarantine record.</summary>
    public string? ObjectName { get; init; }

    public IndexEntry? IndexEntry { get; init; }
}
