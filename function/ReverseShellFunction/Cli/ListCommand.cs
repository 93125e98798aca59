using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>list</c>: the stored bundles, newest first, from the index alone (no bundle is opened). The time range
/// is applied to object names before any entry is read; the other filters need the entry.
/// </summary>
public static class ListCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var project = new Option<string?>("--project") { Description = "Only this project (id or number)" };
        var service = new Option<string?>("--service") { Description = "Only this Cloud Run service (or job)" };
        var category = new Option<string?>("--category") { Description = "Only this finding category, e.g. \"Reverse Shell\"" };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per bundle (completeness, parts, part 1's summary) instead of a table" };
        var command = new Command("list", "List stored bundles, newest first, from the index");
        var range = new TimeRangeOptions(command);
        command.Options.Add(project);
        command.Options.Add(service);
        command.Options.Add(category);
        command.Options.Add(json);
        var width = new WidthOptions(command, "Every column in full (category, revision, binary, collectors, the whole bundle id), however wide");
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: true, async (services, output, ct) =>
        {
            var evidence = services.GetRequiredService<IEvidenceStore>();
            var window = range.Range(parse, services.GetRequiredService<TimeProvider>().GetUtcNow());
            var asJson = parse.GetValue(json);
            var columns = width.Resolve(parse, store.Environment);
            var table = new IndexTable(columns);
            var exitCode = ExitCodes.Ok;
            var (ids, _) = await StoreListing.ListIndexAsync(evidence, window, ct);
            foreach (var (id, _) in LogicalBundle.Group(ids).Reverse())
            {
                LogicalBundle? bundle;
                try
                {
                    bundle = await LogicalBundle.ReadAsync(evidence, id, ct);
                }
                catch (UnreadableObjectException ex)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"warning: {DisplayText.Visible(ex.Message)}; bundle {id.Value} is not listed");
                    exitCode = ExitCodes.Problem;
                    continue;
                }

                if (bundle is null || !Matches(bundle.First.Entry.Summary, parse.GetValue(project), parse.GetValue(service), parse.GetValue(category)))
                {
                    continue;
                }

                if (asJson)
                {
                    await output.WriteLineAsync(JsonOutput.Line(BundleJson(bundle)).AsMemory(), ct);
                }
                else
                {
                    table.Add(bundle);
                }
            }

            if (!asJson)
            {
                await table.WriteAsync(output, ct);
                var footer = table.Count == 0
                    ? $"No bundles in {evidence.Location} (in the range and filters given)."
                    : $"{table.Count} bundle(s) in {evidence.Location}; show, get and verify take its ID (or the bundle id, finding id or name)";
                await parse.InvocationConfiguration.Error.WriteAsync(TextWrap.Fit(footer + "\n", columns));
            }

            return exitCode;
        }, cancellationToken));
        return command;
    }

    /// <summary>The filters on what an index entry says; each compares whole values, ignoring case.</summary>
    private static bool Matches(Bundle.EvidenceSummary summary, string? project, string? service, string? category) =>
        Is(project, summary.Resource.Project, summary.Resource.ProjectNumber)
        && Is(service, summary.Resource.Service, summary.Resource.Job)
        && Is(category, summary.Finding.Category, null);

    private static bool Is(string? wanted, string? value, string? alternative) =>
        wanted is null
        || string.Equals(wanted, value, StringComparison.OrdinalIgnoreCase)
        || string.Equals(wanted, alternative, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// One logical bundle: id, where it stands, how many parts, what is due or missing, and part 1's summary (the
    /// finding's facts) as stored; each part's index object with its SHA-256.
    /// </summary>
    private static object BundleJson(LogicalBundle bundle) => new
    {
        bundleId = bundle.Id.Value,
        completeness = bundle.StateName,
        parts = bundle.Parts.Count,
        completion = bundle.Completion,
        summary = bundle.First.Json.GetProperty("summary"),
        partObjects = bundle.Parts.Select(p => new
        {
            part = p.Part,
            indexObject = p.ObjectName,
            bundleObject = p.Entry.Bundle.ObjectName,
            sha256 = p.Entry.Bundle.Sha256,
            size = p.Entry.Bundle.Size,
        }),
    };
}
