namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// One live object version as the fake keeps it: the bytes, the fields the JSON API reports, and the
/// retention fields a test may set (<see cref="FakeObjectTable.Update"/>) to see how the client reports them.
/// </summary>
public sealed record FakeObject
{
    public required string Bucket { get; init; }
    public required string Name { get; init; }
    public required ReadOnlyMemory<byte> Content { get; init; }
    public required long Generation { get; init; }
    public long Metageneration { get; init; } = 1;
    public string ContentType { get; init; } = "application/octet-stream";
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset? CustomTime { get; init; }
    public required DateTimeOffset TimeCreated { get; init; }
    public required DateTimeOffset Updated { get; init; }
    public required string Md5Hash { get; init; }
    public required string Crc32c { get; init; }
    public bool TemporaryHold { get; init; }
    public bool EventBasedHold { get; init; }
    public DateTimeOffset? RetentionExpirationTime { get; init; }

    /// <summary>Object retention lock: "Unlocked" or "Locked", with <see cref="RetainUntilTime"/>.</summary>
    public string? RetentionMode { get; init; }
    public DateTimeOffset? RetainUntilTime { get; init; }

    public long Size => Content.Length;

    /// <summary>Whether a hold or an unexpired retention period forbids replacing or deleting this version.</summary>
    public bool IsProtected(DateTimeOffset now) =>
        TemporaryHold || EventBasedHold || RetentionExpirationTime > now || RetainUntilTime > now;
}
