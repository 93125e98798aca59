using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.Storage;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>What the manifest records about the bucket at sealing, read through the real Storage client from the fake.</summary>
public sealed class BucketProtectionTest
{
    private const string Bucket = "evidence-test";

    [Fact]
    public async Task The_bucket_s_retention_policy_holds_object_retention_and_default_key_are_read_as_they_are()
    {
        await using var server = await FakeStorageServer.StartAsync();
        server.Bucket = new FakeBucketSettings
        {
            RetentionPeriodSeconds = 30 * 24 * 3600,
            RetentionLocked = true,
            DefaultEventBasedHold = true,
            ObjectRetentionMode = "Enabled",
            DefaultKmsKeyName = "projects/p/locations/eu/keyRings/r/cryptoKeys/cmek",
        };
        var client = StorageClientFactory.Create(server.EmulatorHost, HostEnvironment.Isolated(_ => null).Credentials);

        var protection = await new GcsStorageProtection(client, Bucket).ReadAsync(CancellationToken.None);

        Assert.Equal("gs://evidence-test", protection.Store);
        Assert.Equal(30 * 24 * 3600, protection.RetentionPeriodSeconds);
        Assert.True(protection.RetentionLocked);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), protection.RetentionEffectiveTime);
        Assert.True(protection.DefaultEventBasedHold);
        Assert.Equal("Enabled", protection.ObjectRetentionMode);
        Assert.Equal("projects/p/locations/eu/keyRings/r/cryptoKeys/cmek", protection.DefaultKmsKeyName);
        Assert.Null(protection.ReadError);
    }

    [Fact]
    public async Task A_bucket_without_a_policy_says_so_and_a_refused_read_is_recorded_not_thrown()
    {
        await using var server = await FakeStorageServer.StartAsync();
        var client = StorageClientFactory.Create(server.EmulatorHost, HostEnvironment.Isolated(_ => null).Credentials);
        var reader = new GcsStorageProtection(client, Bucket);

        var open = await reader.ReadAsync(CancellationToken.None);
        Assert.Null(open.RetentionPeriodSeconds);
        Assert.False(open.DefaultEventBasedHold);
        Assert.Contains("no bucket retention policy", open.Note, StringComparison.Ordinal);

        server.Faults.FailNext(FakeStorageOperation.GetBucket, 403);
        var refused = await reader.ReadAsync(CancellationToken.None);
        Assert.StartsWith("could not read the bucket's settings:", refused.ReadError, StringComparison.Ordinal);
        Assert.Contains("403", refused.ReadError, StringComparison.Ordinal);
        Assert.Null(refused.RetentionPeriodSeconds);
    }
}
