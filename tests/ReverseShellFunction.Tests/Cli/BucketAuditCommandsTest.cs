using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>The whole responder and auditor suite against a Cloud Storage bucket (the fake, through the real client).</summary>
public sealed class BucketAuditCommandsTest : AuditCommandsTest
{
    private FakeBucket? _bucket;

    protected override async Task<StoreUnderTest> CreateStoreAsync()
    {
        var store = await BucketStoreUnderTest.StartAsync();
        _bucket = ((BucketStoreUnderTest)store).Bucket;
        return store;
    }

    [Fact]
    public async Task Verify_ReportsRetentionAndHolds_OfBundleAndIndexEntry()
    {
        var id = await SeedAsync();
        var until = new DateTimeOffset(2027, 5, 1, 10, 0, 0, TimeSpan.Zero);
        _bucket!.Server.Objects.Update(FakeBucket.Name, BundleLayout.BundleObject(id), o => o with { RetentionExpirationTime = until });
        _bucket.Server.Objects.Update(FakeBucket.Name, BundleLayout.IndexObject(id), o => o with { TemporaryHold = true });

        var result = await RunAsync("verify", id.Value);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("bundle: retained until 2027-05-01T10:00:00Z (bucket retention policy); no holds", result.Output, StringComparison.Ordinal);
        Assert.Contains("index entry: no retention; temporary hold", result.Output, StringComparison.Ordinal);
    }
}
