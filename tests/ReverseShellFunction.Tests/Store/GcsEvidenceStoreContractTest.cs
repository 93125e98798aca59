using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>The store contract against the bucket store, through the real StorageClient and the fake service.</summary>
public sealed class GcsEvidenceStoreContractTest : EvidenceStoreContractTest
{
    private FakeBucket? _bucket;

    protected override async Task<IEvidenceStore> CreateStoreAsync()
    {
        _bucket = await FakeBucket.StartAsync();
        return _bucket.Store;
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_bucket is not null)
        {
            await _bucket.DisposeAsync();
        }
    }
}
