using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary><c>show BUNDLE_ID</c>: the bundle's summary from its index entry, without downloading the bundle.</summary>
public static class ShowCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleId = new Argument<string>("id") { Description = $"Which bundle: {BundleLookup.Accepted}" };
        var json = new Option<bool>("--json") { Description = "Print the index entry as stored (JSON) instead of text" };
        var command = new Command("show", "Show a bundle's summary from its index entry: the headline and what is wrong first") { bundleId, json };
        var width = new WidthOptions(command, "Do not wrap lines");
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: true, async (services, output, ct) =>
        {
            var columns = width.Resolve(parse, store.Environment);
            var evidence = services.GetRequiredService<IEvidenceStore>();
            var text = parse.GetValue(bundleId);
            if (await BundleLookup.ResolveAsync(evidence, text, parse.InvocationConfiguration.Error, ct) is not { } id)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no bundle for '{DisplayText.Visible(text, 100)}' in {evidence.Location}");
                return ExitCodes.Problem;
            }

            LogicalBundle? bundle;
            try
            {
                bundle = await LogicalBundle.ReadAsync(evidence, id, ct);
            }
            catch (UnreadableObjectException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.Problem;
            }

            if (bundle is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no index entry for bundle {id} in {evidence.Location} (looked for {BundleLayout.IndexObject(id)})");
                return ExitCodes.Problem;
            }

            var rendered = parse.GetValue(json)
                ? string.Concat(bundle.Parts.Select(p => JsonOutput.Indented(p.Json) + Environment.NewLine))
                : TextWrap.Fit(SummaryText.Render(bundle), columns);
            await output.WriteAsync(rendered.AsMemory(), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
