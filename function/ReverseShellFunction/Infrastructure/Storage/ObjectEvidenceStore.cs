using System.Runtime.InteropServices;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// What the bucket and the folder store share: every call of the port is one object named by
/// <see cref="BundleLayout"/>, so a store only says how it finds, creates, reads, opens and lists an object by name.
/// </summary>
public abstract class ObjectEvidenceStore : IEvidenceStore, IQuarantineReader
{
    public abstract string Location { get; }

    public abstract StoreGuarantees Guarantees { get; }

    public Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken) =>
        FindAsync(BundleLayout.BundleObject(id), cancellationToken);

    public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) =>
        FindAsync(BundleLayout.IndexObject(id), cancellationToken);

    public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(metadata);
        return CreateAsync(BundleLayout.BundleObject(id), content, metadata, cancellationToken);
    }

    public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return CreateJsonAsync(BundleLayout.IndexObject(id), json, cancellationToken);
    }

    public Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        CreateJsonAsync(BundleLayout.PendingObject(id), json, cancellationToken);

    public Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        CreateJsonAsync(BundleLayout.ClaimObject(id, generation), json, cancellationToken);

    public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        CreateJsonAsync(QuarantineName(objectName), json, cancellationToken);

    public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) =>
        ReadAsync(BundleLayout.ClaimObject(id, generation), cancellationToken);

    public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) =>
        ReadAsync(BundleLayout.PendingObject(id), cancellationToken);

    public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) =>
        ReadAsync(BundleLayout.IndexObject(id), cancellationToken);

    public Task<byte[]?> ReadQuarantineAsync(string objectName, CancellationToken cancellationToken) =>
        ReadAsync(QuarantineName(objectName), cancellationToken);

    public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken) =>
        OpenAsync(BundleLayout.BundleObject(id), cancellationToken);

    public IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken) =>
        ListAsync(BundleLayout.BundlesPrefix, cancellationToken);

    public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync(BundleLayout.IndexPrefix, cancellationToken);

    public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync(BundleLayout.PendingPrefix, cancellationToken);

    public IAsyncEnumerable<string> ListQuarantineObjectNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync(BundleLayout.QuarantinePrefix, cancellationToken);

    /// <summary>The object's description, or null when there is none.</summary>
    protected abstract Task<StoredObject?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the object unless it exists; <paramref name="metadata"/> is a bundle's, null for a JSON record.</summary>
    protected abstract Task<CreateResult> CreateAsync(string name, Stream content, BundleMetadata? metadata, CancellationToken cancellationToken);

    /// <summary>A small object's bytes, or null when there is none.</summary>
    protected abstract Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken);

    /// <exception cref="EvidenceNotFoundException">No such object.</exception>
    protected abstract Task<Stream> OpenAsync(string name, CancellationToken cancellationToken);

    /// <summary>The objects under <paramref name="prefix"/>, in lexical name order.</summary>
    protected abstract IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The names of the objects under <paramref name="prefix"/>, in lexical order.</summary>
    protected abstract IAsyncEnumerable<string> ListNamesAsync(string prefix, CancellationToken cancellationToken);

    private async Task<CreateResult> CreateJsonAsync(string name, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var bytes = MemoryMarshal.TryGetArray(json, out var segment) ? segment : new ArraySegment<byte>(json.ToArray());
        await using var content = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        return await CreateAsync(name, content, null, cancellationToken);
    }

    /// <summary>The name itself, once it is known to lie under the quarantine prefix and to be a safe object name.</summary>
    private static string QuarantineName(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (!objectName.StartsWith(BundleLayout.QuarantinePrefix, StringComparison.Ordinal) || !BundlePaths.IsSafe(objectName))
        {
            throw new ArgumentException($"'{DisplayText.Visible(objectName, 100)}' is not a quarantine object name.", nameof(objectName));
        }

        return objectName;
    }
}
