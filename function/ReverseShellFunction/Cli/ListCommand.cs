using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Store;

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
        var range = new TimeRangeOptions();
        var project = new Option<string?>("--project") { Description = "Only this project (id or number)" };
        var service = new Option<string?>("--service") { Description = "Only this Cloud Run service (or job)" };
        var category = new Option<string?>("--category") { Description = "Only this finding category, e.g. \"Reverse Shell\"" };
        var json = new Option<bool>("--json") { Description = "Print each index entry as one JSON line instead of a table" };
        var wide = new Option<bool>("--wide") { Description = "Every column in full (category, revision, binary, collectors, the whole bundle id), however wide" };
        var width = new Option<int>("--width")
        {
            Description = $"Fit the table to this many columns (default {IndexTable.DefaultWidth})",
            DefaultValueFactory = _ => IndexTable.DefaultWidth,
        };
        width.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 40)
            {
                result.AddError("--width must be at least 40.");
            }
        });
        var command = new Command("list", "List stored bundles, newest first, from the index");
        range.AddTo(command);
        command.Options.Add(project);
        command.Options.Add(service);
        command.Options.Add(category);
        command.Options.Add(json);
        command.Options.Add(wide);
        command.Options.Add(width);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunReadOnlyAsync(parse, store, async (services, output, ct) =>
        {
            var evidence = services.GetRequiredService<IEvidenceStore>();
            var window = range.Range(parse, services.GetRequiredService<TimeProvider>().GetUtcNow());
            var filter = new IndexFilter(parse.GetValue(project), parse.GetValue(service), parse.GetValue(category));
            var asJson = parse.GetValue(json);
            var table = new IndexTable(parse.GetValue(wide), parse.GetValue(width));
            var exitCode = ExitCodes.Ok;
            var (ids, _) = await StoreListing.ListIndexAsync(evidence, window, ct);
            foreach (var id in ids.Reverse())
            {
                StoredIndexEntry? entry;
                try
                {
                    entry = await StoredIndexEntry.ReadAsync(evidence, id, ct);
                }
                catch (InvalidDataException ex)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"warning: index entry {StoreLayout.IndexObject(id)} is unreadable, listed without it: {Audit.AuditText.Clean(ex.Message)}");
                    exitCode = ExitCodes.Problem;
                    continue;
                }

                if (entry is null || !filter.Matches(entry.Entry))
                {
                    continue;
                }

                if (asJson)
                {
                    await output.WriteLineAsync(JsonOutput.Line(entry.Json).AsMemory(), ct);
                }
                else
                {
                    table.Add(entry.Entry);
                }
            }

            if (!asJson)
            {
                await table.WriteAsync(output, ct);
                await parse.InvocationConfiguration.Error.WriteLineAsync(table.Count == 0
                    ? $"No bundles in {evidence.Location} (in the range and filters given)."
                    : $"{table.Count} bundle(s) in {evidence.Location}; show or get takes the ID, the whole bundle id, a finding id or a finding name");
            }

            return exitCode;
        }, cancellationToken));
        return command;
    }
}
