using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// The seam that lets one suite of CLI tests run against every store: a store the tests fill through
/// <see cref="Store"/>, the command-line options that point the CLI at the same store, and raw access that
/// bypasses the store's create-only rule, so tests can play an attacker or an accident.
/// </summary>
public abstract class StoreUnderTest : IAsyncDisposable
{
    public abstract IEvidenceStore Store { get; }

    /// <summary>The options that point the CLI at this store: <c>["--dir", path]</c> or <c>["--bucket", name]</c>.</summary>
    public abstract IReadOnlyList<string> StoreArgs { get; }

    /// <summary>Whether bundle objects carry their SHA-256 in metadata (a bucket does, a folder does not).</summary>
    public abstract bool KeepsMetadata { get; }

    /// <summary>The environment the CLI sees, e.g. STORAGE_EMULATOR_HOST for a fake bucket. Nothing else leaks in.</summary>
    public virtual string? Environment(string name) => null;

    public abstract Task<byte[]> ReadRawAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an object whether or not it exists. An existing object keeps its metadata, as when an attacker
    /// rewrites a bundle's bytes but not its recorded hash.
    /// </summary>
    public abstract Task PutRawAsync(string objectName, byte[] content, CancellationToken cancellationToken);

    public abstract Task DeleteAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>Rewrites the SHA-256 an object's metadata records; a store without metadata has nothing to forge.</summary>
    public virtual Task ForgeMetadataSha256Async(string objectName, string sha256, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task TamperAsync(string objectName, Func<byte[], byte[]> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await PutRawAsync(objectName, change(await ReadRawAsync(objectName, cancellationToken)), cancellationToken);
    }

    public abstract ValueTask DisposeAsync();
}
