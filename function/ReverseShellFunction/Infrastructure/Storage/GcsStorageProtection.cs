using Google.Cloud.Storage.V1;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Reads the evidence bucket's protection at sealing (storage.buckets.get, granted by
/// roles/storage.legacyBucketReader on that bucket only): retention policy, default event-based hold, object
/// retention and default KMS key. A failure is recorded in the manifest, never fatal.
/// </summary>
internal sealed class GcsStorageProtection(StorageClient client, string bucket) : IStorageProtectionReader
{
    public async Task<StorageProtection> ReadAsync(CancellationToken cancellationToken)
    {
        var store = $"gs://{bucket}";
        try
        {
            var found = await client.GetBucketAsync(bucket, new GetBucketOptions(), cancellationToken);
            return new StorageProtection
            {
                Store = store,
                RetentionPeriodSeconds = found.RetentionPolicy?.RetentionPeriod,
                RetentionLocked = found.RetentionPolicy is null ? null : found.RetentionPolicy.IsLocked ?? false,
                RetentionEffectiveTime = found.RetentionPolicy?.EffectiveTimeDateTimeOffset,
                DefaultEventBasedHold = found.DefaultEventBasedHold ?? false,
                ObjectRetentionMode = found.ObjectRetention?.Mode,
                DefaultKmsKeyName = found.Encryption?.DefaultKmsKeyName,
                Note = found.RetentionPolicy is null ? "no bucket retention policy: objects can be deleted by anyone with storage.objects.delete" : null,
            };
        }
        catch (Exception ex) when (ex is Google.GoogleApiException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new StorageProtection { Store = store, ReadError = $"could not read the bucket's settings: {GcsRetryPolicy.Describe(ex)}" };
        }
    }
}
