using System.Text.Json;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Report;

/// <summary>
/// The workload as it ran, for the summary's first table: the revision that ran the shell (from the finding, the
/// container logs near the event, or the service's latest ready revision, saying which), and its configuration
/// from the staged Cloud Run documents. A damaged document is still in the bundle; the summary just says less.
/// </summary>
internal static class RunningWorkload
{
    /// <returns>The service's or job's document, and its revisions' or executions' by their short name.</returns>
    private static (JsonElement? Parent, Dictionary<string, JsonElement> Children) ReadCloudRun(StagingDirectory staging, HashSet<string> files)
    {
        JsonElement? parent = null;
        var children = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => f.StartsWith(BundleLayout.Entries.CloudRunFolder, StringComparison.Ordinal) && f.EndsWith(".json", StringComparison.Ordinal)))
        {
            try
            {
                var info = new FileInfo(staging.PathOf(file));
                if (info.Length > EvidenceDigest.MaxLineBytes)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(File.ReadAllBytes(info.FullName));
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (file is BundleLayout.Entries.CloudRunService or BundleLayout.Entries.CloudRunJob)
                {
                    parent = document.RootElement.Clone();
                }
                else if (EvidenceDigest.Str(document.RootElement, "name") is { } name)
                {
                    children[name[(name.LastIndexOf('/') + 1)..]] = document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
                // A damaged document is still in the bundle; the summary just says less.
            }
        }

        return (parent, children);
    }

    public static WorkloadFacts Of(EvidenceSummary summary, StagingDirectory staging, HashSet<string> files, DigestState state)
    {
        var (parent, children) = ReadCloudRun(staging, files);
        var (revision, source) = ChooseRevision(summary, parent, state);
        JsonElement? child = revision is not null && children.TryGetValue(revision, out var c) ? c : null;

        // A service's revision holds its own configuration; a job's lives in job.template.template.
        var config = child ?? (parent is { } p ? EvidenceDigest.Obj(p, "template") is { } t ? EvidenceDigest.Obj(t, "template") ?? t : null : null);
        var container = First(config, "containers");
        var status = First(child, "containerStatuses");
        var vpc = config is { } v ? EvidenceDigest.Obj(v, "vpcAccess") : null;
        var network = First(vpc, "networkInterfaces") is { } nic ? EvidenceDigest.Str(nic, "network") ?? EvidenceDigest.Str(nic, "subnetwork") : null;

        var lastChange = state.LastChange;
        if (lastChange is null && parent is { } svc && EvidenceDigest.Str(svc, "lastModifier") is { } modifier)
        {
            lastChange = new WorkloadChange(EvidenceTime.TryParse(EvidenceDigest.Str(svc, "updateTime")), modifier, null, "lastModifier of the Cloud Run resource");
        }

        return new WorkloadFacts(
            revision,
            source,
            [.. state.Revisions.Keys.Where(r => r != revision).Order(StringComparer.Ordinal).Take(10)],
            (container is { } ct ? EvidenceDigest.Str(ct, "image") : null) ?? summary.Container.ImageUri,
            (status is { } st ? EvidenceDigest.Str(st, "imageDigest") : null) ?? summary.Container.ImageId,
            config is { } sa ? EvidenceDigest.Str(sa, "serviceAccount") : null,
            parent is { } ing ? EvidenceDigest.Str(ing, "ingress") : null,
            network ?? (vpc is { } vc ? EvidenceDigest.Str(vc, "connector") : null),
            vpc is { } eg ? EvidenceDigest.Str(eg, "egress") : null,
            lastChange,
            state.AuditCount);
    }

    /// <summary>The first element of an array member; null when there is none.</summary>
    private static JsonElement? First(JsonElement? parent, string name) =>
        parent is { } p && p.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > 0 ? array[0] : null;

    private static (string? Revision, string? Source) ChooseRevision(EvidenceSummary summary, JsonElement? cloudRunParent, DigestState state)
    {
        if (!string.IsNullOrEmpty(summary.Resource.Revision))
        {
            return (summary.Resource.Revision, "finding");
        }

        var near = state.Revisions.Where(r => r.Value > 0).OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).FirstOrDefault();
        if (near.Key is not null)
        {
            var total = state.Revisions.Values.Sum();
            return (near.Key, $"container logs within {DigestState.RevisionWindow.TotalMinutes:0} minutes of the event ({near.Value} of {total} entries)");
        }

        if (cloudRunParent is { } parent && EvidenceDigest.Str(parent, "latestReadyRevision") is { } latest)
        {
            return (latest[(latest.LastIndexOf('/') + 1)..], "latest ready revision of the service (the finding and the logs name none)");
        }

        return (null, null);
    }
}
