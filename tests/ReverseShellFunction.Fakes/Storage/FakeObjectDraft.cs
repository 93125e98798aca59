namespace ReverseShellFunction.Fakes.Storage;

/// <summary>What an upload asks to create: bytes plus the writable fields of its metadata.</summary>
public sealed record FakeObjectDraft
{
    public required string Bucket { get; init; }
    public required string Name { get; init; }
    public required ReadOnlyMemory<byte> Content { get; init; }
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public DateTimeOffset? CustomTime { get; init; }
}
