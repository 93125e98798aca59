using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Scc;

namespace ReverseShellFunction.Collectors.Scc;

/// <summary>
/// <c>scc-finding</c>: asks SCC for the notified finding by name and stores SCC's current copy as
/// <c>scc/finding.json</c>, with the <see cref="FindingAuthenticity"/> the answer gives. Anyone who can publish
/// to the topic can make the function collect; a forged notification is still stored, marked <c>not-found</c>, and
/// one that copies a real finding's name is compared field by field with SCC's copy and marked <c>contradicted</c>.
/// </summary>
public sealed class FindingAuthenticityCollector(
    SccFindingsApi api, CollectionOptions options, TimeProvider time, ILogger<FindingAuthenticityCollector> logger) : ICollector
{
    public const string CollectorName = SccCopy.CollectorName;

    // Finding names are unique; a few results are room for a v1 and a v2 form of the same finding.
    private const int PageSize = 10;

    public string Name => CollectorName;

    /// <summary>The documented <c>name</c> restriction (operator <c>=</c>), the value quoted.</summary>
    public static string Filter(string findingName) => $"name = {FilterText.Quote(findingName)}";

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(evidence);
        var progress = new CollectorProgress(Name) { Authenticity = FindingAuthenticity.Unchecked };
        var finding = context.Finding;
        if (finding.Name is not { } name || SccParent.For(finding, context.Notification.Resource, options.SccScope) is not { } parent)
        {
            return progress.Skipped("the finding names no parent to look it up under (SCC_SCOPE) in a valid location");
        }

        if (!await api.Client.HasCredentialsAsync(cancellationToken))
        {
            return progress.Skipped("no credentials");
        }

        var filter = Filter(name);
        progress.Query = $"{api.Describe(parent)}?filter={filter}";
        JsonElement? match = null;
        try
        {
            using var page = await api.ListPageAsync(parent, filter, orderBy: null, PageSize, pageToken: null, cancellationToken);
            match = SccFindingsApi.Results(page.RootElement).FirstOrDefault(r => Names(r, finding.Name, finding.CanonicalName)) is { ValueKind: JsonValueKind.Object } found
                ? found.Clone()
                : null;
        }
        catch (GoogleApiException ex)
        {
            // The API's own words say what failed; a stack trace would add nothing but lines.
            logger.LogWarning("Checking finding {FindingName} against SCC failed: {Problem}", name, ex.Describe());
            return progress.Failed(ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return progress.DeadlineReached();
        }

        if (match is null)
        {
            progress.Authenticity = FindingAuthenticity.NotFound;
            await WriteAsync(evidence, progress, parent, filter, null, []);
            logger.LogWarning("SCC holds no finding named {FindingName} under {Parent}: the notification may be forged", name, parent.Name);
            progress.Note = $"not-found: SCC answered and holds no finding of this name under {parent.Name}; the notification may be forged";
            return progress.Ok();
        }

        var differences = Compare(context.Notification, match.Value);
        progress.Authenticity = differences.Count == 0 ? FindingAuthenticity.Confirmed : FindingAuthenticity.Contradicted;
        progress.Contradicted = [.. differences.Select(d => d.Field)];
        await WriteAsync(evidence, progress, parent, filter, match, differences);
        if (differences.Count > 0)
        {
            logger.LogWarning(
                "SCC's copy of finding {FindingName} differs from the notification in {Fields}: the notification may be forged or altered",
                name,
                string.Join(", ", progress.Contradicted));
            progress.Note = $"contradicted: SCC's copy differs from the notification in {string.Join(", ", progress.Contradicted)}; the summary's facts are SCC's";
        }

        progress.AddItems(1);
        return progress.Ok();
    }

    /// <summary>
    /// The notification against SCC's answer, read the way a notification is read (a ListFindings result has the
    /// same <c>finding</c> and <c>resource</c> members). An answer that does not read as a finding differs in whole.
    /// </summary>
    private IReadOnlyList<FieldDifference> Compare(Findings.SccNotification notification, JsonElement match)
    {
        try
        {
            return FindingComparison.Compare(notification, NotificationDecoder.Parse(JsonSerializer.SerializeToUtf8Bytes(match), time.GetUtcNow()));
        }
        catch (InvalidDeliveryException ex)
        {
            return [new FieldDifference("finding", "as notified", $"SCC's copy does not read as a finding: {ex.Message}")];
        }
    }

    private async Task WriteAsync(IEvidenceWriter evidence, CollectorProgress progress, SccParent parent, string filter, JsonElement? match, IReadOnlyList<FieldDifference> differences)
    {
        await using var stream = evidence.CreateFile(BundleLayout.Entries.SccFinding);
        progress.AddFile(BundleLayout.Entries.SccFinding);
        await using var writer = new Utf8JsonWriter(stream, JsonEvidence.Indented);
        writer.WriteStartObject();
        writer.WriteStartObject("query");
        writer.WriteString("parent", parent.Name);
        writer.WriteString("filter", filter);
        writer.WriteEndObject();
        writer.WriteString("authenticity", JsonSerializer.Serialize(progress.Authenticity, Bundle.EvidenceJson.Options).Trim('"'));
        writer.WriteString("checkedAt", FilterText.Rfc3339(time.GetUtcNow()));
        if (differences.Count > 0)
        {
            // Each field where the notification and SCC's copy differ, both sides: the disagreement is evidence.
            writer.WriteStartArray("differences");
            foreach (var d in differences)
            {
                writer.WriteStartObject();
                writer.WriteString("field", d.Field);
                writer.WriteString("notification", d.Notification);
                writer.WriteString("scc", d.Scc);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        foreach (var property in (ReadOnlySpan<string>)["finding", "resource"])
        {
            if (match is { } result && result.TryGetProperty(property, out var value))
            {
                writer.WritePropertyName(property);
                value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();

        // Not the collection token: the answer is in hand and the file must be whole.
        await writer.FlushAsync(CancellationToken.None);
    }

    private static bool Names(JsonElement result, string? name, string? canonicalName)
    {
        if (!result.TryGetProperty("finding", out var found) || found.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        string? Text(string property) => found.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return (name is not null && Text("name") == name) || (canonicalName is not null && Text("canonicalName") == canonicalName);
    }
}
