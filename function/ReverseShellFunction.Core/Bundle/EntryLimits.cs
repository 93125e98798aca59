namespace ReverseShellFunction.Bundle;

/// <summary>
/// What the bundle reader (<c>verify</c>, <c>get</c>, the audit) accepts of one zip entry before it inflates it.
/// One definition for the reader and the writer: the limits protect an auditor from hostile zips, and the writer
/// holds every part it stores to them, so an attacker who controls stdout, the finding's text or log payloads
/// cannot make the function store evidence its own tools refuse to read.
/// </summary>
public static class EntryLimits
{
    /// <summary>No file this program writes is larger (LOG_MAX_BYTES is at most 10 GiB).</summary>
    public const long MaxEntryBytes = 16L * 1024 * 1024 * 1024;

    /// <summary>
    /// Highest inflated-to-stored ratio accepted for an entry over <see cref="RatioFloorBytes"/>. JSON log lines
    /// compress about 5 to 30 times; deflate reaches about 1,000 only on runs of one byte, i.e. a zip bomb, or
    /// an attacker's stdout of one repeated character (which the writer therefore stores uncompressed).
    /// </summary>
    public const long MaxCompressionRatio = 200;

    /// <summary>Entries up to this size are never refused for their ratio.</summary>
    public const long RatioFloorBytes = 1024 * 1024;

    /// <summary>manifest.json and summary.json are read whole; they are a few KiB, and anything near this is not ours.</summary>
    public const int MaxJsonBytes = 16 * 1024 * 1024;

    /// <summary>Each seal entry (<see cref="BundleLayout.Entries.Seals"/>) is a few KiB; anything larger is not ours.</summary>
    public const int MaxSealBytes = 1024 * 1024;

    /// <summary>True when the reader refuses an entry declaring <paramref name="size"/> bytes from <paramref name="storedSize"/> stored.</summary>
    public static bool Refuses(long size, long storedSize) =>
        size < 0 || size > MaxEntryBytes || (size > RatioFloorBytes && size > Math.Max(storedSize, 1) * MaxCompressionRatio);
}
