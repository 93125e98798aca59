using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>A store whose every call fails the way an unreachable bucket does.</summary>
internal sealed class FailingStore : IEvidenceStore
{
    public string Location => "failing://store";

    public Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken) => throw Failure();

    public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) => throw Failure();

    public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken) => throw Failure();

    public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) => throw Failure();

    public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) => throw Failure();

    public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken) => throw Failure();

    public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) => throw Failure();

    public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) => throw Failure();

    public IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken) => throw Failure();

    public Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) => throw Failure();

    public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) => throw Failure();

    public Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) => throw Failure();

    public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) => throw Failure();

    public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) => throw Failure();

    private static EvidenceStoreException Failure() => new("503 Service Unavailable from the bucket");
}
