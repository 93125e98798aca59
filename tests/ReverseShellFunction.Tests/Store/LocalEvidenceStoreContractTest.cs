using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Store;

/// <summary>The store contract against the folder store.</summary>
public sealed class LocalEvidenceStoreContractTest : EvidenceStoreContractTest, IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    protected override Task<IEvidenceStore> CreateStoreAsync() => Task.FromResult<IEvidenceStore>(new LocalEvidenceStore(_folder.Path));

    protected override Task DisposeStoreAsync() => Task.CompletedTask;
}
