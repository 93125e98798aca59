using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// What every <see cref="IEvidenceStore"/> promises, run against each implementation by a subclass: create-only
/// writes that report an existing object and never replace it, reads of what was written, not-found answers,
/// and listings in name (time) order.
/// </summary>
public abstract class EvidenceStoreContractTest : IAsyncLifetime
{
    private IEvidenceStore? _store;

    protected IEvidenceStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task CreateBundle_NewId_IsStoredAndReadBack()
    {
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(300_000);

        var result = await Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);

        Assert.Equal(CreateResult.Created, result);
        var stored = await Store.GetBundleAsync(id, default);
        Assert.NotNull(stored);
        Assert.Equal(BundleLayout.BundleObject(id), stored.Name);
        Assert.Equal(content.Length, stored.Size);
        Assert.False(string.IsNullOrEmpty(stored.RetentionState));
        Assert.Equal(content, await StoreSamples.ReadAllAsync(await Store.OpenBundleAsync(id, default)));
    }

    [Fact]
    public async Task CreateBundle_Existing_IsAlreadyExistsAndKeepsTheFirst()
    {
        var id = StoreSamples.Id();
        var first = StoreSamples.Content(1000, seed: 1);
        var second = StoreSamples.Content(2000, seed: 2);
        await Store.CreateBundleAsync(id, new MemoryStream(first), StoreSamples.Metadata(id, first), default);

        var result = await Store.CreateBundleAsync(id, new MemoryStream(second), StoreSamples.Metadata(id, second), default);

        Assert.Equal(CreateResult.AlreadyExists, result);
        Assert.Equal(first, await StoreSamples.ReadAllAsync(await Store.OpenBundleAsync(id, default)));
    }

    [Fact]
    public async Task CreateBundle_TenConcurrentWriters_ExactlyOneWins()
    {
        var id = StoreSamples.Id();
        var contents = Enumerable.Range(1, 10).Select(seed => StoreSamples.Content(50_000, seed)).ToList();

        var results = await Task.WhenAll(contents.Select(content =>
            Task.Run(() => Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default))));

        Assert.Equal(1, results.Count(r => r == CreateResult.Created));
        var stored = await StoreSamples.ReadAllAsync(await Store.OpenBundleAsync(id, default));
        Assert.Contains(contents, content => content.AsSpan().SequenceEqual(stored));
    }

    [Fact]
    public async Task IndexEntry_CreatedOnce_ThenAlreadyExists()
    {
        var id = StoreSamples.Id();
        Assert.Null(await Store.GetIndexEntryObjectAsync(id, default));
        Assert.Null(await Store.ReadIndexEntryAsync(id, default));

        var first = await Store.CreateIndexEntryAsync(id, StoreSamples.Json("{\"n\":1}"), default);
        var second = await Store.CreateIndexEntryAsync(id, StoreSamples.Json("{\"n\":2}"), default);

        Assert.Equal(CreateResult.Created, first);
        Assert.Equal(CreateResult.AlreadyExists, second);
        Assert.Equal(BundleLayout.IndexObject(id), (await Store.GetIndexEntryObjectAsync(id, default))?.Name);
        Assert.Equal(StoreSamples.Json("{\"n\":1}"), await Store.ReadIndexEntryAsync(id, default));
    }

    [Fact]
    public async Task MissingBundle_IsNullAndOpenThrowsNotFound()
    {
        var id = StoreSamples.Id();

        Assert.Null(await Store.GetBundleAsync(id, default));
        var ex = await Assert.ThrowsAsync<EvidenceNotFoundException>(() => Store.OpenBundleAsync(id, default));
        Assert.Equal(BundleLayout.BundleObject(id), ex.ObjectName);
    }

    [Fact]
    public async Task Quarantine_CreateOnceUnderItsPrefix()
    {
        var name = BundleLayout.QuarantineObject(StoreSamples.EventTime, new string('a', 64), "0011223344556677");

        Assert.Equal(CreateResult.Created, await Store.CreateQuarantineAsync(name, StoreSamples.Json("{}"), default));
        Assert.Equal(CreateResult.AlreadyExists, await Store.CreateQuarantineAsync(name, StoreSamples.Json("{}"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateQuarantineAsync("index/2026/11/28/x.json", StoreSamples.Json("{}"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateQuarantineAsync("quarantine/../index/x.json", StoreSamples.Json("{}"), default));
    }

    [Fact]
    public async Task Listings_AreInNameOrderWhichIsTimeOrder()
    {
        var ids = new[] { StoreSamples.Id(86_400 * 3), StoreSamples.Id(0), StoreSamples.Id(86_400) };
        foreach (var id in ids)
        {
            var content = StoreSamples.Content(100 + ids.Length);
            await Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);
            await Store.CreateIndexEntryAsync(id, StoreSamples.Json("{}"), default);
        }

        var expected = ids.OrderBy(id => id.EventTime).ToList();
        var index = await Store.ListIndexObjectNamesAsync(default).ToListAsync();
        var bundles = await Store.ListBundleObjectsAsync(default).ToListAsync();

        Assert.Equal(expected.Select(BundleLayout.IndexObject), index);
        Assert.Equal(expected.Select(BundleLayout.BundleObject), bundles.Select(b => b.Name));
        Assert.All(bundles, b => Assert.Equal(103, b.Size));
    }

    protected abstract Task<IEvidenceStore> CreateStoreAsync();

    protected abstract Task DisposeStoreAsync();
}
