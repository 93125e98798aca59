using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary><c>show BUNDLE_ID</c>: the bundle's summary from its index entry, without downloading the bundle.</summary>
public static class ShowCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleId = new Argument<string>("id") { Description = $"Which bundle: {BundleLookup.Accepted}" };
        var json = new Option<bool>("--json") { Description = "Print the index entry as stored (JSON) instead of text" };
        var command = new Command("show", "Show a bundle's summary from its index entry");
        command.Arguments.Add(bundleId);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunReadOnlyAsync(parse, store, async (services, output, ct) =>
        {
            var evidence = services.GetRequiredService<IEvidenceStore>();
            var text = parse.GetValue(bundleId);
            if (await BundleLookup.ResolveAsync(evidence, text, parse.InvocationConfiguration.Error, ct) is not { } id)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no bundle for '{Audit.AuditText.Clean(text, 100)}' in {evidence.Location}");
                return ExitCodes.Problem;
            }

            StoredIndexEntry? entry;
            try
            {
                entry = await StoredIndexEntry.ReadAsync(evidence, id, ct);
            }
            catch (InvalidDataException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: index entry {StoreLayout.IndexObject(id)} is unreadable: {ex.Message}");
                return ExitCodes.Problem;
            }

            if (entry is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no index entry for bundle {id} in {evidence.Location} (looked for {StoreLayout.IndexObject(id)})");
                return ExitCodes.Problem;
            }

            var rendered = parse.GetValue(json) ? JsonOutput.Indented(entry.Json) + Environment.NewLine : SummaryText.Render(entry.Entry) + SealText.Render(entry.Entry);
            await output.WriteAsync(rendered.AsMemory(), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
