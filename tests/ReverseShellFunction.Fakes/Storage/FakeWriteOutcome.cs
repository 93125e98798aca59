namespace ReverseShellFunction.Fakes.Storage;

/// <summary>The table's answer to a write: the new version, or the status and message the API gives instead.</summary>
public sealed record FakeWriteOutcome(FakeObject? Created, int StatusCode, string? Message);
