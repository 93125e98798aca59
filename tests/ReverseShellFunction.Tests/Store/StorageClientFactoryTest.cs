using Microsoft.Extensions.DependencyInjection;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>STORAGE_EMULATOR_HOST in its usual spellings, and the wiring that picks the bucket store.</summary>
public sealed class StorageClientFactoryTest
{
    public static TheoryData<string, string> EmulatorHosts => new()
    {
        { "localhost:4443", "http://localhost:4443/storage/v1/" },
        { "127.0.0.1:9023", "http://127.0.0.1:9023/storage/v1/" },
        { "http://localhost:4443", "http://localhost:4443/storage/v1/" },
        { "http://localhost:4443/", "http://localhost:4443/storage/v1/" },
        { "https://gcs.internal", "https://gcs.internal/storage/v1/" },
        { "http://localhost:9000/storage/v1", "http://localhost:9000/storage/v1/" },
        { "http://localhost:9000/prefix/", "http://localhost:9000/prefix/storage/v1/" },
        { " fake-gcs:4443 ", "http://fake-gcs:4443/storage/v1/" },
    };

    [Theory]
    [MemberData(nameof(EmulatorHosts))]
    public void EmulatorBaseUri_EndsInStorageV1(string host, string expected) =>
        Assert.Equal(expected, StorageClientFactory.EmulatorBaseUri(host));

    [Theory]
    [InlineData("ftp://localhost:21")]
    [InlineData("http://localhost:4443/?x=1")]
    [InlineData("http://")]
    public void EmulatorBaseUri_RejectsWhatIsNotAnHttpHost(string host) =>
        Assert.Throws<InvalidOperationException>(() => StorageClientFactory.EmulatorBaseUri(host));

    [Theory]
    [InlineData("my-evidence", "my-evidence")]
    [InlineData("gs://my-evidence", "my-evidence")]
    [InlineData("gs://my-evidence/", "my-evidence")]
    public void BucketName_AcceptsBareOrGsUrl(string value, string expected) =>
        Assert.Equal(expected, GcsStoreOptions.BucketName(value));

    [Fact]
    public void BucketName_RejectsAPath() =>
        Assert.Throws<InvalidOperationException>(() => GcsStoreOptions.BucketName("gs://bucket/folder"));

    [Fact]
    public async Task AddEvidencePipeline_WithEvidenceBucket_UsesTheBucketThroughTheEmulatorHost()
    {
        await using var server = await Fakes.Storage.FakeStorageServer.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["EVIDENCE_BUCKET"] = "gs://evidence-wired",
            ["STORAGE_EMULATOR_HOST"] = "http://" + server.EmulatorHost,
        };
        var services = new ServiceCollection().AddLogging().AddEvidencePipeline(FunctionSettings.From(environment.GetValueOrDefault));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IEvidenceStore>();
        await store.CreateIndexEntryAsync(StoreSamples.Id(), StoreSamples.Json("{}"), default);

        Assert.IsType<GcsEvidenceStore>(store);
        Assert.Same(store, provider.GetRequiredService<IEvidenceStore>());
        Assert.Equal("gs://evidence-wired", store.Location);
        Assert.Single(server.Objects.List("evidence-wired", "index/"));
    }
}
