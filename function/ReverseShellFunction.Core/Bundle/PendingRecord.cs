namespace ReverseShellFunction.Bundle;

/// <summary>
/// <c>pending/YYYY/MM/DD/{id}.part-{n}.json</c>: the embedded default's durable statement that part n of a bundle
/// is due, written create-only after part n−1's index entry and never deleted. <c>serve</c> and <c>complete</c>
/// run the records whose part has no index entry yet; once it has one, the record is history.
/// </summary>
public sealed record PendingRecord
{
    public const string CurrentSchema = "reverse-shell-evidence/pending/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required string BundleId { get; init; }
    public required int Part { get; init; }
    public required DateTimeOffset Due { get; init; }
    public DateTimeOffset? GiveUpAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
