using Google.Cloud.Storage.V1;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Reads the evidence bucket's protection at sealing (storage.buckets.get, granted by
/// roles/storage.legacyBucketReader on that bucket only): retention policy, default event-based hold, object
/// retention and default KMS key. A failure is recorded in the manifest, never fatal.
/// </summary>
internal sealed class GcsStorageProtection : IStorageProtectionReader
{
    private readonly StorageClient _client;
    private readonly string _bucket;

    public GcsStorageProtection(StorageClient client, string bucket)
    {
        _client = client;
        _bucket = bucket;
    }

    public async Task<StorageProtection> ReadAsync(CancellationToken cancellationToken)
    {
        var store = $"gs://{_bucket}";
        try
        {
            var bucket = await _client.GetBucketAsync(_bucket, new GetBucketOptions(), cancellationToken);
            return new StorageProtection
            {
                Store = store,
                RetentionPeriodSeconds = bucket.RetentionPolicy?.RetentionPeriod,
                RetentionLocked = bucket.RetentionPolicy is null ? null : bucket.RetentionPolicy.IsLocked ?? false,
                RetentionEffectiveTime = bucket.RetentionPolicy?.EffectiveTimeDateTimeOffset,
                DefaultEventBasedHold = bucket.DefaultEventBasedHold ?? false,
                ObjectRetentionMode = bucket.ObjectRetention?.Mode,
                DefaultKmsKeyName = bucket.Encryption?.DefaultKmsKeyName,
                Note = bucket.RetentionPolicy is null ? "no bucket retention policy: objects can be deleted by anyone with storage.objects.delete" : null,
            };
        }
        catch (Exception ex) when (ex is Google.GoogleApiException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new StorageProtection { Store = store, ReadError = $"could not read the bucket's settings: {GcsFailures.Describe(ex)}" };
        }
    }
}
