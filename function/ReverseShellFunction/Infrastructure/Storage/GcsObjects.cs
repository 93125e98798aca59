using System.Globalization;
using ReverseShellFunction.Store;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>What the store writes into an object's resource, and how it reads a resource back.</summary>
internal static class GcsObjects
{
    public const string ZipContentType = "application/zip";
    public const string JsonContentType = "application/json";

    /// <summary>Custom metadata keys on a bundle object.</summary>
    public const string Sha256Key = "sha256";
    public const string BundleIdKey = "bundleId";
    public const string FindingNameKey = "findingName";
    public const string EventTimeKey = "eventTime";

    private static readonly IReadOnlyDictionary<string, string> s_noMetadata = new Dictionary<string, string>();

    /// <summary>
    /// A bundle's resource. customTime is the finding's event time, so lifecycle rules can age evidence by
    /// the event (daysSinceCustomTime) rather than by when it happened to be written.
    /// </summary>
    public static StorageObject Bundle(string bucket, string name, BundleMetadata metadata) => new()
    {
        Bucket = bucket,
        Name = name,
        ContentType = ZipContentType,
        CustomTimeDateTimeOffset = metadata.EventTime.ToUniversalTime(),
        Metadata = new Dictionary<string, string>
        {
            [Sha256Key] = metadata.Sha256,
            [BundleIdKey] = metadata.BundleId,
            [FindingNameKey] = metadata.FindingName,
            [EventTimeKey] = metadata.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        },
    };

    public static StorageObject Json(string bucket, string name) => new() { Bucket = bucket, Name = name, ContentType = JsonContentType };

    public static string? RecordedSha256(StorageObject item) =>
        item.Metadata is { } metadata && metadata.TryGetValue(Sha256Key, out var value) ? value : null;

    public static StoredObject Describe(StorageObject item) => new(
        item.Name,
        (long)(item.Size ?? 0),
        RecordedSha256(item),
        item.Metadata is { Count: > 0 } metadata ? new Dictionary<string, string>(metadata, StringComparer.Ordinal) : s_noMetadata,
        RetentionDescription.Describe(item));
}
