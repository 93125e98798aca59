using System.Text.Encodings.Web;
using System.Text.Json;
using ReverseShellFunction.Collect.GoogleApis;

namespace ReverseShellFunction.Collect.Scc;

/// <summary>
/// <c>scc-finding</c>: asks SCC for the notified finding by name and stores SCC's current copy as
/// <c>scc/finding.json</c>, with the <see cref="FindingAuthenticity"/> the answer gives. Anyone who can publish
/// to the topic can make the function collect; a forged notification is still stored, marked <c>not-found</c>.
/// </summary>
public sealed class FindingAuthenticityCollector : ICollector
{
    public const string CollectorName = "scc-finding";
    public const string Path = "scc/finding.json";

    // Finding names are unique; a few results are room for a v1 and a v2 form of the same finding.
    private const int PageSize = 10;

    private static readonly JsonWriterOptions s_json = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SccFindingsApi _api;
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FindingAuthenticityCollector> _logger;

    public FindingAuthenticityCollector(SccFindingsApi api, CollectionOptions options, TimeProvider time, ILogger<FindingAuthenticityCollector> logger)
    {
        _api = api;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string Name => CollectorName;

    /// <summary>The documented <c>name</c> restriction (operator <c>=</c>), the value quoted.</summary>
    public static string Filter(string findingName) => $"name = {FilterText.Quote(findingName)}";

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(evidence);
        var progress = new CollectorProgress(Name) { Authenticity = FindingAuthenticity.Unchecked };
        var finding = context.Finding;
        if (finding.Name is not { } name || SccParent.For(finding, context.Notification.Resource, _options.SccScope) is not { } parent)
        {
            return progress.Skipped("the finding names no parent to look it up under (SCC_SCOPE) in a valid location");
        }

        if (!await _api.Client.HasCredentialsAsync(cancellationToken))
        {
            return progress.Skipped("no credentials");
        }

        var filter = Filter(name);
        progress.Query = $"{_api.Describe(parent)}?filter={filter}";
        JsonElement? match = null;
        try
        {
            using var page = await _api.ListPageAsync(parent, filter, orderBy: null, PageSize, pageToken: null, cancellationToken);
            var results = page.RootElement.TryGetProperty("listFindingsResults", out var list) && list.ValueKind == JsonValueKind.Array ? list : default;
            if (results.ValueKind == JsonValueKind.Array)
            {
                match = results.EnumerateArray().FirstOrDefault(r => Names(r, finding.Name, finding.CanonicalName)) is { ValueKind: JsonValueKind.Object } found
                    ? found.Clone()
                    : null;
            }
        }
        catch (GoogleApiException ex)
        {
            _logger.LogWarning(ex, "Checking finding {FindingName} against SCC failed: {Problem}", name, ex.Describe());
            return progress.Failed(ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return progress.DeadlineReached();
        }

        progress.Authenticity = match is null ? FindingAuthenticity.NotFound : FindingAuthenticity.Confirmed;
        await WriteAsync(evidence, progress, parent, filter, match);
        if (match is null)
        {
            _logger.LogWarning("SCC holds no finding named {FindingName} under {Parent}: the notification may be forged", name, parent.Name);
            progress.Note = $"not-found: SCC answered and holds no finding of this name under {parent.Name}; the notification may be forged";
            return progress.Ok();
        }

        progress.AddItems(1);
        return progress.Ok();
    }

    private async Task WriteAsync(IEvidenceWriter evidence, CollectorProgress progress, SccParent parent, string filter, JsonElement? match)
    {
        await using var stream = evidence.CreateFile(Path);
        progress.AddFile(Path);
        await using var writer = new Utf8JsonWriter(stream, s_json);
        writer.WriteStartObject();
        writer.WriteStartObject("query");
        writer.WriteString("parent", parent.Name);
        writer.WriteString("filter", filter);
        writer.WriteEndObject();
        writer.WriteString("authenticity", match is null ? "not-found" : "confirmed");
        writer.WriteString("checkedAt", FilterText.Rfc3339(_time.GetUtcNow()));
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
        if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("finding", out var found) || found.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        string? Text(string property) => found.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return (name is not null && Text("name") == name) || (canonicalName is not null && Text("canonicalName") == canonicalName);
    }
}
