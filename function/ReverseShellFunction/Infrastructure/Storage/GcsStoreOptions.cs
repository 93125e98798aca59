using Google.Cloud.Storage.V1;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// How the bucket store talks to Cloud Storage. The defaults suit the function: a delivery has minutes before
/// Pub/Sub gives up on it, so one store call may take up to <see cref="OperationTimeout"/> including retries.
/// </summary>
public sealed record GcsStoreOptions
{
    /// <summary>
    /// Resumable upload chunk: the client holds one chunk in memory, so this bounds the buffer of an upload
    /// whatever the bundle's size. Must be a multiple of 256 KiB.
    /// </summary>
    public const int DefaultChunkSize = 8 * 1024 * 1024;

    /// <summary>
    /// Download read size. The client reads a download into a buffer of this size (one request either way), and
    /// completions download part 1 many at a time: with the upload's 8 MiB, 80 concurrent completions held
    /// about 1 GiB of buffers (tasks-burst benchmark, docs/benchmarks.md).
    /// </summary>
    public const int DefaultDownloadChunkSize = 128 * 1024;

    public required string Bucket { get; init; }

    /// <summary>Everything one store call may take, retries and backoff included; then it fails with 503.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per call where the store itself retries (upload start, download).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Backoff between attempts, for the client's retries and the store's: 1 s doubling to 32 s by default.</summary>
    public RetryTiming RetryTiming { get; init; } = RetryTiming.Default;

    public int ChunkSize { get; init; } = DefaultChunkSize;

    public int DownloadChunkSize { get; init; } = DefaultDownloadChunkSize;

    /// <summary>Where downloaded bundles are spooled; the system temp folder by default.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>Accepts <c>name</c> or <c>gs://name</c>; returns the bare bucket name.</summary>
    public static string BucketName(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var name = value.Trim();
        name = name.StartsWith("gs://", StringComparison.OrdinalIgnoreCase) ? name[5..] : name;
        name = name.TrimEnd('/');
        if (name.Length is < 3 or > 222 || name.Contains('/', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"EVIDENCE_BUCKET must be a bucket name such as my-evidence (or gs://my-evidence); it is '{value}'.");
        }

        return name;
    }
}
