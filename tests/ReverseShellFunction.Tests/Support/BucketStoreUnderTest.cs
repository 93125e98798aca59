using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// A <see cref="GcsEvidenceStore"/> on the real client against the Cloud Storage fake. The CLI reaches the same
/// fake through STORAGE_EMULATOR_HOST; raw access goes straight to the fake's object table, bypassing the
/// create-only rule the way someone with admin rights on the bucket could.
/// </summary>
internal sealed class BucketStoreUnderTest : StoreUnderTest
{
    private readonly FakeBucket _bucket;

    private BucketStoreUnderTest(FakeBucket bucket) => _bucket = bucket;

    public FakeBucket Bucket => _bucket;

    public static async Task<StoreUnderTest> StartAsync() => new BucketStoreUnderTest(await FakeBucket.StartAsync());

    public override IEvidenceStore Store => _bucket.Store;

    public override IReadOnlyList<string> StoreArgs => ["--bucket", FakeBucket.Name];

    public override bool KeepsMetadata => true;

    public override string? Environment(string name) => name == "STORAGE_EMULATOR_HOST" ? _bucket.Server.EmulatorHost : null;

    public override Task<byte[]> ReadRawAsync(string objectName, CancellationToken cancellationToken) =>
        Task.FromResult((_bucket.Object(objectName) ?? throw new FileNotFoundException(objectName)).Content.ToArray());

    public override Task PutRawAsync(string objectName, byte[] content, CancellationToken cancellationToken)
    {
        var before = _bucket.Object(objectName);
        _bucket.Server.Objects.Remove(FakeBucket.Name, objectName);
        _bucket.Server.Objects.Insert(FakeBucket.Name, objectName, content, before?.ContentType ?? "application/octet-stream");
        if (before is not null)
        {
            // The attacker rewrites the bytes but leaves the recorded metadata as it was.
            _bucket.Server.Objects.Update(FakeBucket.Name, objectName, o => o with { Metadata = before.Metadata, CustomTime = before.CustomTime });
        }

        return Task.CompletedTask;
    }

    public override Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        _bucket.Server.Objects.Remove(FakeBucket.Name, objectName);
        return Task.CompletedTask;
    }

    public override Task ForgeMetadataSha256Async(string objectName, string sha256, CancellationToken cancellationToken)
    {
        _bucket.Server.Objects.Update(FakeBucket.Name, objectName, o => o with
        {
            Metadata = new Dictionary<string, string>(o.Metadata) { ["sha256"] = sha256 },
        });
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync() => _bucket.DisposeAsync();
}
