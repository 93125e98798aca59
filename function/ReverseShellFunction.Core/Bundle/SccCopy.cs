using System.Text.Json;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Bundle;

/// <summary>SCC's current copy of the finding as the <c>scc-finding</c> collector stored it in a part being built.</summary>
public static class SccCopy
{
    /// <summary>The collector that checks a notification against SCC.</summary>
    public const string CollectorName = "scc-finding";

    /// <summary>SCC's finding and resource, read as a notification is read; null when the part holds none or it does not read.</summary>
    public static async Task<SccNotification?> ReadAsync(StagingDirectory staging, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staging);
        if (!staging.Files.Contains(BundleLayout.Entries.SccFinding, StringComparer.Ordinal))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(staging.PathOf(BundleLayout.Entries.SccFinding), cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (!document.RootElement.TryGetProperty("finding", out var finding))
            {
                return null;
            }

            using var copy = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(copy))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("finding");
                finding.WriteTo(writer);
                if (document.RootElement.TryGetProperty("resource", out var resource))
                {
                    writer.WritePropertyName("resource");
                    resource.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            return NotificationDecoder.Parse(copy.ToArray(), now);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDeliveryException)
        {
            // The verbatim answer stays in the bundle; the summary keeps the notification's facts and its verdict.
            return null;
        }
    }
}
