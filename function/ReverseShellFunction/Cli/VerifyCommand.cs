using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>verify [BUNDLE_ID… | --all | --since … --until …]</c>: checks bundles and index entries against each
/// other (see <see cref="BundleVerifier"/>). With <c>--all</c> or a time range both prefixes are listed and
/// cross-checked, up to <c>--concurrency</c> parts at once, reported in listing order. Every way of asking runs the
/// same checks, those across a bundle's parts included (<see cref="BundleChecks"/>). Exit 0 when every check that
/// applies was done and passed, 1 on any problem, 2 on usage or access errors or a folder that is not a store, 4
/// when all passed but a seal was not checked (no key or TSA certificate; --hashes-only accepts that).
/// </summary>
public static class VerifyCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleIds = new Argument<string[]>("id") { Description = $"Bundles to verify, each {BundleLookup.Accepted}", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Verify every bundle and index entry in the store, cross-checking both" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per bundle (checks and problems) instead of text" };
        var extracted = new Option<string[]>("--extracted") { Description = "Verify folders that get extracted, offline, instead of the store" };
        var concurrency = new Option<int?>("--concurrency")
        {
            Description = $"With --all or --since/--until: parts verified at once (1 to {StoreAudit.MaxConcurrency}, default {StoreAudit.DefaultConcurrency}); the output order does not depend on it",
        };
        var command = new Command("verify", "Verify bundles against their index entries, manifests and object metadata") { bundleIds, all };
        var range = new TimeRangeOptions(command);
        command.Options.Add(json);
        var custody = new CustodyOptions(command);
        command.Options.Add(extracted);
        command.Options.Add(concurrency);
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: true, async (services, output, ct) =>
        {
            var texts = parse.GetValue(bundleIds) ?? [];
            var folders = parse.GetValue(extracted) ?? [];
            var listing = parse.GetValue(all) || range.IsGiven(parse);
            if ((texts.Length > 0 ? 1 : 0) + (listing ? 1 : 0) + (folders.Length > 0 ? 1 : 0) != 1)
            {
                throw new UsageException("Give bundle ids, or --all and/or --since/--until, or --extracted FOLDER: exactly one of these.");
            }

            var parallel = parse.GetValue(concurrency);
            if (parallel is not null && !listing)
            {
                throw new UsageException("--concurrency applies to --all and --since/--until only.");
            }

            if (parallel is < 1 or > StoreAudit.MaxConcurrency)
            {
                throw new UsageException($"--concurrency must be from 1 to {StoreAudit.MaxConcurrency}.");
            }

            var evidence = services.GetRequiredService<IEvidenceStore>();

            // The same forms show and get take; one that names no stored bundle is a problem found (exit 1), said first.
            var ids = new List<Bundle.BundleId>();
            var unknown = 0;
            foreach (var text in texts)
            {
                if (await BundleLookup.ResolveAsync(evidence, text, parse.InvocationConfiguration.Error, ct) is { } resolved)
                {
                    ids.Add(resolved);
                }
                else
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no bundle for '{DisplayText.Visible(text, 100)}' in {evidence.Location}");
                    unknown++;
                }
            }

            var (trust, keySource) = custody.Build(parse, services, offline: folders.Length > 0);
            using var trustScope = trust;
            var time = services.GetRequiredService<TimeProvider>();
            var audit = new StoreAudit(evidence, trust, time);
            // Bundles named (the last case): every part of each, with the checks across its parts, the same as --all runs.
            var results = folders.Length > 0 ? folders.ToAsyncEnumerable().SelectMany((folder, _) => VerifyFolderAsync(folder, trust, time, ct))
                : listing ? audit.VerifyAllAsync(range.Range(parse, time.GetUtcNow()), parallel ?? StoreAudit.DefaultConcurrency, ct)
                : ids.Select(i => i.Bundle).Distinct().ToAsyncEnumerable()
                    .SelectMany(async (id, _) => (IEnumerable<BundleVerification>)await audit.VerifyBundleAsync(id, ct));
            var (verified, failed) = (0, 0);
            var notChecked = new List<BundleVerification>();
            var seals = new SealCounts();
            if (!parse.GetValue(json))
            {
                await output.WriteLineAsync(keySource.AsMemory(), ct);
            }

            await foreach (var result in results)
            {
                seals.Add(result);
                if (result.NotChecked.Count > 0)
                {
                    notChecked.Add(result);
                }

                if (result.Verified)
                {
                    verified++;
                }
                else
                {
                    failed++;
                }

                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(JsonOutput.Line(result).AsMemory(), ct);
                }
                else
                {
                    await WriteTextAsync(output, result, ct);
                }
            }

            if (!parse.GetValue(json))
            {
                await output.WriteLineAsync(Footer(verified, failed, folders.Length > 0 ? "the extracted folder(s)" : evidence.Location).AsMemory(), ct);
                if (seals.Summary() is { } custodyLine)
                {
                    await output.WriteLineAsync(custodyLine.AsMemory(), ct);
                }
            }
            else if (seals.Summary() is { } custodyWarning)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(custodyWarning);
            }

            return failed > 0 || unknown > 0 ? ExitCodes.Problem : await custody.PassedAsync(parse, notChecked, parse.InvocationConfiguration.Error);
        }, cancellationToken));
        return command;
    }

    private static async ValueTask<IEnumerable<BundleVerification>> VerifyFolderAsync(string folder, Custody.CustodyTrust trust, TimeProvider time, CancellationToken cancellationToken) =>
        !Directory.Exists(folder) ? throw new UsageException($"--extracted {folder}: no such folder.")
        : CaseFolderVerifier.IsCase(folder) ? await CaseFolderVerifier.VerifyAsync(folder, trust, time.GetUtcNow(), cancellationToken)
        : [await ExtractedFolderVerifier.VerifyAsync(folder, trust, cancellationToken)];

    /// <summary>
    /// The readable output: one line per bundle with the verdict and the hash checks, then one indented line per
    /// problem, each a full sentence naming bundle, file, expected and found.
    /// </summary>
    private static async Task WriteTextAsync(TextWriter output, BundleVerification result, CancellationToken cancellationToken)
    {
        var subject = result.BundleId ?? result.ObjectName ?? "?";
        var verdict = result.Verified ? "ok    " : "FAILED";
        await output.WriteLineAsync($"{verdict}  {subject}  {Brief(result)}".AsMemory(), cancellationToken);
        foreach (var problem in result.Problems)
        {
            await output.WriteLineAsync($"        - {problem.Message}".AsMemory(), cancellationToken);
        }
    }

    private static string Footer(int verified, int failed, string location) =>
        verified + failed == 0
            ? $"Nothing to verify: {location} holds no bundle and no index entry (in the range given)."
            : failed == 0
            ? $"{verified} bundle(s) verified in {location}."
            : $"{failed} of {verified + failed} failed verification in {location}.";

    /// <summary>The checks worth seeing on an ok line: the two hash sources, the file count and the retention state.</summary>
    private static string Brief(BundleVerification result)
    {
        var parts = new List<string>();
        foreach (var name in (string[])["sha256-index", "sha256-metadata", "files", "signature", "timestamp"])
        {
            if (result.Checks.FirstOrDefault(c => c.Name == name) is { } check)
            {
                parts.Add($"{name} {JsonOutput.Line(check.Outcome).Trim('"')}");
            }
        }

        if (result.Retention is not null)
        {
            parts.Add($"retention: {DisplayText.Visible(result.Retention, 200)}");
        }

        return string.Join("; ", parts);
    }
}
