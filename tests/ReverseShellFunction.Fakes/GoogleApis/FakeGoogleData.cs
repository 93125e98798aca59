using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// The generated world behind the fake: the Cloud Run service of the sample finding
/// (<c>samples/reverse-shell.notification.json</c>), its revisions, a job, related findings and log entries.
/// A secret literal is planted in every env block and in the audit payloads, so tests can prove it never
/// reaches a bundle.
/// </summary>
public sealed class FakeGoogleData
{
    public const string Organization = "418230051457";
    public const string Source = "9347120561842215403";
    public const string ProjectId = "shop-prod-4471";
    public const string ProjectNumber = "602115830917";
    public const string Location = "europe-west1";
    public const string Service = "checkout-api";
    public const string LatestRevision = "checkout-api-00041-kex";
    public const string CanaryRevision = "checkout-api-00040-pod";
    public const string RetiredRevision = "checkout-api-00039-zam";
    public const string Job = "nightly-export";
    public const string LatestExecution = "nightly-export-7xk2p";
    public const string FindingName = $"organizations/{Organization}/sources/{Source}/locations/global/findings/5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b";
    /// <summary>The sample finding's canonicalName: its project (by number) as the closest CRM ancestor.</summary>
    public const string CanonicalName = $"projects/{ProjectNumber}/sources/{Source}/locations/global/findings/5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b";
    public const string ServiceFullName = $"//run.googleapis.com/projects/{ProjectId}/locations/{Location}/services/{Service}";
    public const string JobFullName = $"//run.googleapis.com/projects/{ProjectId}/locations/{Location}/jobs/{Job}";

    /// <summary>A literal env value that must never be stored: tests search every bundle byte for it.</summary>
    public const string PlantedSecret = "pl4nted-Secr3t-7f3e91c2-DO-NOT-STORE";

    public static readonly DateTimeOffset EventTime = new(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero);

    public FakeGoogleData(FakeGoogleApisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var shift = (options.EventTime ?? EventTime) - EventTime;
        var findings = FakeFindings.Generate(options.RelatedFindings);
        var documents = FakeRunResources.Generate();
        var container = FakeLogEntries.Container(options.ContainerLogEntries, options.ContainerLogPayloadBytes, options.ContainerLogPayloadCharacter);
        var audit = FakeLogEntries.Audit(options.AuditLogEntries);
        for (var i = 1; i <= options.AdditionalServices; i++)
        {
            var name = ServiceName(i);
            findings.AddRange(FakeFindings.Generate(options.RelatedFindings).Select(f => Renamed(f, name, i)));
            foreach (var (key, document) in FakeRunResources.Generate().Where(d => d.Key.Contains($"/services/{Service}", StringComparison.Ordinal)))
            {
                documents[key.Replace(Service, name, StringComparison.Ordinal)] = Renamed(document, name, i);
            }

            // Only the service's own entries: the decoys (other service, before the window) exist once already.
            container.AddRange(FakeLogEntries.Container(options.ContainerLogEntries, options.ContainerLogPayloadBytes, options.ContainerLogPayloadCharacter).Where(IsService).Select(e => Renamed(e, name, i)));
            audit.AddRange(FakeLogEntries.Audit(options.AuditLogEntries).Where(IsService).Select(e => Renamed(e, name, i)));
        }

        Findings = [.. findings.Select(f => Shifted(f, shift))];
        Documents = documents;
        ContainerEntries = [.. container.Select(e => Shifted(e, shift))];
        AuditEntries = [.. audit.Select(e => Shifted(e, shift))];
    }

    /// <summary>Security marks written through <c>updateSecurityMarks</c>, by SecurityMarks name (the finding's name + "/securityMarks").</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, JsonObject> SecurityMarks { get; } = new(StringComparer.Ordinal);

    /// <summary>ListFindings results (<c>{finding, resource}</c>), including some outside the window and on other resources.</summary>
    public IReadOnlyList<JsonObject> Findings { get; }

    /// <summary>Run v2 documents by relative name with the project id, e.g. <c>projects/P/locations/L/services/S</c>.</summary>
    public IReadOnlyDictionary<string, JsonObject> Documents { get; }

    public IReadOnlyList<JsonObject> ContainerEntries { get; }

    public IReadOnlyList<JsonObject> AuditEntries { get; }

    /// <summary>The name of additional service <paramref name="index"/> (1-based; see <see cref="FakeGoogleApisOptions.AdditionalServices"/>).</summary>
    public static string ServiceName(int index) => index == 0 ? Service : $"{Service}-s{index.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)}";

    private static bool IsService(JsonObject entry) => entry["resource"]?["labels"]?["service_name"]?.GetValue<string>() == Service;

    // The same document under another service's name; ids that must stay unique (insertId, finding ids) get the index.
    private static JsonObject Renamed(JsonObject node, string service, int index)
    {
        var text = node.ToJsonString().Replace(Service, service, StringComparison.Ordinal);
        var copy = JsonNode.Parse(text)!.AsObject();
        if (copy["insertId"] is JsonValue insertId)
        {
            copy["insertId"] = $"s{index.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)}{insertId.GetValue<string>()}";
        }

        if (copy["finding"] is JsonObject finding)
        {
            foreach (var field in new[] { "name", "canonicalName" })
            {
                var name = finding[field]!.GetValue<string>();
                finding[field] = name.Replace("/findings/", $"/findings/s{index.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
            }
        }

        return copy;
    }

    // Moves every time the fixtures hold (entries' timestamps, findings' event and create times) by the same amount.
    private static JsonObject Shifted(JsonObject node, TimeSpan shift)
    {
        if (shift == TimeSpan.Zero)
        {
            return node;
        }

        foreach (var holder in new[] { node, node["finding"] as JsonObject })
        {
            foreach (var field in new[] { "timestamp", "receiveTimestamp", "eventTime", "createTime" })
            {
                if (holder?[field] is JsonValue value)
                {
                    holder[field] = FakeFindings.Timestamp(DateTimeOffset.Parse(value.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) + shift);
                }
            }
        }

        return node;
    }
}
