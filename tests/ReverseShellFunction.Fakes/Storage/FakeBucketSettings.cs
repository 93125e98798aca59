using System.Globalization;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// The bucket resource the fake answers for <c>GET storage/v1/b/{bucket}</c> (Cloud Storage JSON API shapes:
/// <c>retentionPolicy{retentionPeriod (string seconds), effectiveTime, isLocked}</c>, <c>defaultEventBasedHold</c>,
/// <c>objectRetention{mode}</c>, <c>encryption{defaultKmsKeyName}</c>). A test sets it; the fake does not enforce it.
/// </summary>
public sealed record FakeBucketSettings
{
    public long? RetentionPeriodSeconds { get; init; }
    public bool RetentionLocked { get; init; }
    public DateTimeOffset RetentionEffectiveTime { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public bool DefaultEventBasedHold { get; init; }
    public string? ObjectRetentionMode { get; init; }
    public string? DefaultKmsKeyName { get; init; }

    internal JsonObject Resource(string bucket)
    {
        var json = new JsonObject
        {
            ["kind"] = "storage#bucket",
            ["id"] = bucket,
            ["name"] = bucket,
            ["location"] = "EU",
            ["storageClass"] = "STANDARD",
            ["defaultEventBasedHold"] = DefaultEventBasedHold,
        };
        if (RetentionPeriodSeconds is { } period)
        {
            json["retentionPolicy"] = new JsonObject
            {
                ["retentionPeriod"] = period.ToString(CultureInfo.InvariantCulture),
                ["effectiveTime"] = RetentionEffectiveTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["isLocked"] = RetentionLocked,
            };
        }

        if (ObjectRetentionMode is { } mode)
        {
            json["objectRetention"] = new JsonObject { ["mode"] = mode };
        }

        if (DefaultKmsKeyName is { } key)
        {
            json["encryption"] = new JsonObject { ["defaultKmsKeyName"] = key };
        }

        return json;
    }
}
