using System.Globalization;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Store;

/// <summary>
/// Object names, shared by the folder and the bucket:
/// <c>bundles/YYYY/MM/DD/{id}.zip</c>, <c>index/YYYY/MM/DD/{id}.json</c> (dates are the event's, UTC) and
/// <c>quarantine/YYYY/MM/DD/{receivedAt}-{sha256 prefix}-{nonce}.json</c> (date of receipt). Ids start with the event
/// time, so a plain lexical listing of <c>index/</c> is in time order.
/// </summary>
public static class StoreLayout
{
    public const string BundlesPrefix = "bundles/";
    public const string IndexPrefix = "index/";
    public const string QuarantinePrefix = "quarantine/";

    public static string BundleObject(BundleId id) => $"{BundlesPrefix}{DatePath(id.EventTime)}/{id.Value}.zip";

    public static string IndexObject(BundleId id) => $"{IndexPrefix}{DatePath(id.EventTime)}/{id.Value}.json";

    /// <param name="nonce">Hex digits unique to the delivery: two deliveries of one body in one millisecond get two records.</param>
    public static string QuarantineObject(DateTimeOffset receivedAt, string bodySha256, string nonce)
    {
        ArgumentNullException.ThrowIfNull(bodySha256);
        ArgumentNullException.ThrowIfNull(nonce);
        if (bodySha256.Length < 32 || !bodySha256.All(char.IsAsciiHexDigit) || nonce.Length is 0 or > 32 || !nonce.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("The body hash and the nonce must be hex digits.");
        }

        return $"{QuarantinePrefix}{DatePath(receivedAt)}/{receivedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{bodySha256[..32]}-{nonce}.json";
    }

    /// <summary>The bundle id an index or bundle object name stands for, if it has the expected shape.</summary>
    public static BundleId? IdFromObjectName(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        var (prefix, extension) = objectName.StartsWith(IndexPrefix, StringComparison.Ordinal) ? (IndexPrefix, ".json")
            : objectName.StartsWith(BundlesPrefix, StringComparison.Ordinal) ? (BundlesPrefix, ".zip")
            : (null, null);
        if (prefix is null || !objectName.EndsWith(extension!, StringComparison.Ordinal))
        {
            return null;
        }

        var fileName = objectName[(objectName.LastIndexOf('/') + 1)..^extension!.Length];
        return BundleId.TryParse(fileName, out var id) && objectName == (prefix == IndexPrefix ? IndexObject(id) : BundleObject(id))
            ? id
            : null;
    }

    private static string DatePath(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture);
}
