using System.Globalization;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// One line saying what protects an object from deletion: the bucket's retention policy
/// (retentionExpirationTime), object retention (retention.mode/retainUntilTime) and holds. For example
/// "retained until 2027-05-01T10:00:00Z (bucket retention policy); no holds".
/// </summary>
internal static class RetentionDescription
{
    public static string Describe(StorageObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var retention = new List<string>();
        if (item.RetentionExpirationTimeDateTimeOffset is { } expires)
        {
            retention.Add($"retained until {Time(expires)} (bucket retention policy)");
        }

        if (item.Retention is { Mode: { Length: > 0 } mode } objectRetention)
        {
            var until = objectRetention.RetainUntilTimeDateTimeOffset is { } time ? $" until {Time(time)}" : "";
            retention.Add($"object retention {mode}{until}");
        }

        var holds = new List<string>();
        if (item.TemporaryHold == true)
        {
            holds.Add("temporary hold");
        }

        if (item.EventBasedHold == true)
        {
            holds.Add("event-based hold");
        }

        var retentionText = retention.Count > 0 ? string.Join("; ", retention) : "no retention";
        var holdText = holds.Count > 0 ? string.Join(", ", holds) : "no holds";
        return $"{retentionText}; {holdText}";
    }

    private static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
