using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
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
        var width = new WidthOptions("Do not wrap lines");
        var command = new Command("show", "Show a bundle's summary from its index entry: the headline and what is wrong first");
        command.Arguments.Add(bundleId);
        command.Options.Add(json);
        width.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunReadOnlyAsync(parse, store, async (services, output, ct) =>
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
            catch (InvalidDataException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.Problem;
            }

            if (bundle is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no index entry for bundle {id} in {evidence.Location} (looked for {BundleLayout.IndexObject(id)})");
                return ExitCodes.Problem;
            }

            var entry = bundle.First;
            var rendered = parse.GetValue(json)
                ? string.Concat(bundle.Parts.Select(p => JsonOutput.Indented(p.Json) + Environment.NewLine))
                : Compose(bundle, columns);
            await output.WriteAsync(rendered.AsMemory(), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// What a responder reads first comes first: the headline and what is wrong, then where the bundle stands
    /// (pending, incomplete), then the long sections, the parts and the seal; wrapped to the width at word boundaries.
    /// </summary>
    internal static string Compose(LogicalBundle bundle, int? width)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var entry = bundle.First.Entry;
        var latest = bundle.Latest.Entry.Summary;
        var text = SummaryText.Head(entry, latest) + CompletenessText(bundle) + SummaryText.Body(entry, latest) + PartsText(bundle) + SealText.Render(entry);
        return width is { } columns ? TextWrap.Wrap(text, columns) : text;
    }

    /// <summary>What is complete, pending (due when) or missing; nothing for a lone complete part.</summary>
    internal static string CompletenessText(LogicalBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (bundle.Parts.Count == 1 && bundle.State == Completeness.Complete)
        {
            return "";
        }

        var text = new System.Text.StringBuilder();
        text.AppendLine();
        text.AppendLine($"Completeness: {DisplayText.Visible(Bundle.StateWords.Completeness(bundle.Latest.Entry.Summary), 2000)} ({bundle.Parts.Count} part{(bundle.Parts.Count == 1 ? "" : "s")})");
        foreach (var line in Report.SummaryReport.CompletionLines(bundle.Completion).Skip(bundle.State == Completeness.Complete ? 0 : 1))
        {
            text.AppendLine("  " + DisplayText.Visible(line, 2000));
        }

        return text.ToString();
    }

    /// <summary>Each part with its object and hash; nothing for a lone complete part.</summary>
    internal static string PartsText(LogicalBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (bundle.Parts.Count == 1 && bundle.State == Completeness.Complete)
        {
            return "";
        }

        var text = new System.Text.StringBuilder();
        text.AppendLine();
        text.AppendLine($"Parts ({bundle.Parts.Count})");
        foreach (var part in bundle.Parts)
        {
            // The collectors this part ran (its summary states the bundle so far).
            var ran = part.Entry.Summary.Collectors.Where(c => c.Part is null || c.Part == part.Part);
            var collectors = string.Join(", ", ran.Select(c => $"{c.Name} {(c.Status == CollectorStatus.Skipped ? Bundle.StateWords.NotCollected : c.Status.ToString().ToLowerInvariant())}"));
            text.AppendLine($"  Part {part.Part}: {part.Entry.Bundle.ObjectName} ({part.Entry.Bundle.Size} bytes, sha256 {part.Entry.Bundle.Sha256}){(collectors.Length == 0 ? "" : ": " + collectors)}");
        }

        return text.ToString();
    }
}
