using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>get ID [--out DIR]</c> (a bundle id, list's short id, a finding id or name): <c>verify ID</c> plus a case
/// folder. It takes verify's trust options and runs exactly its checks on every part of the bundle (bytes, files,
/// seal, chain, the checks across parts, the give-up check) before anything is kept (<see cref="BundleExtractor"/>):
/// <c>part-1/</c> … <c>part-N/</c>, case.json, the newest part's summary and one merged timeline.jsonl. On any
/// failure nothing remains: the folder is removed again (or emptied, if it existed empty) and the exit code is 1.
/// </summary>
public static class GetCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleId = new Argument<string>("id") { Description = $"Which bundle: {BundleLookup.Accepted}" };
        var outDir = new Option<string?>("--out") { Description = "Extract into this folder, which must be absent or empty (default: ./BUNDLE_ID)" };
        var manifestOnly = new Option<bool>("--manifest-only")
        {
            Description = "For a bundle whose index entry is damaged or missing: check part 1 against its own manifest (and object metadata) only, and say so",
        };
        var command = new Command("get", "Verify a bundle as verify does and extract every part into a case folder") { bundleId, outDir, manifestOnly };
        var custody = new CustodyOptions(command);
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: true, async (services, output, ct) =>
        {
            var evidence = services.GetRequiredService<IEvidenceStore>();
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(bundleId);
            if (await BundleLookup.ResolveAsync(evidence, text, error, ct) is not { } id)
            {
                await error.WriteLineAsync($"error: not found: no bundle for '{DisplayText.Visible(text, 100)}' in {evidence.Location}.");
                return ExitCodes.Problem;
            }

            var directory = Path.GetFullPath(parse.GetValue(outDir) ?? id.Value);
            if (File.Exists(directory) || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
            {
                throw new UsageException($"{directory} exists and is not an empty folder; choose another --out. Nothing is ever overwritten.");
            }

            if (parse.GetValue(manifestOnly))
            {
                return await ManifestOnlyAsync(evidence, id, directory, output, error, ct);
            }

            var (trust, keySource) = custody.Build(parse, services, offline: false);
            using var trustScope = trust;
            // The bundle's state first, from its newest part's index entry (the final word), in the words every view
            // uses; everything after verifies it.
            try
            {
                if (await LogicalBundle.ReadAsync(evidence, id, ct) is { } logical)
                {
                    await output.WriteLineAsync(DisplayText.Visible(Bundle.StateWords.FirstLine(logical.Latest.Entry.Summary), 2000).AsMemory(), ct);
                }
            }
            catch (UnreadableObjectException)
            {
                // A damaged index entry: the checks below report it by name.
            }

            await output.WriteLineAsync(keySource.AsMemory(), ct);
            var audit = new StoreAudit(evidence, trust, services.GetRequiredService<TimeProvider>());
            var result = await BundleExtractor.ExtractAsync(audit, id.Bundle, directory, new StderrProgress(error), ct);
            if (!result.Succeeded)
            {
                if (result.Verdicts.Count == 1 && result.Verdicts[0].Problems.Any(p => p.Kind == ProblemKind.NotFound))
                {
                    // Unknown, not tampered: say so in those words.
                    await error.WriteLineAsync($"error: not found: bundle {id} is not in {evidence.Location}: no index entry {BundleLayout.IndexObject(id)} and no bundle object {BundleLayout.BundleObject(id)}.");
                    return ExitCodes.Problem;
                }

                foreach (var problem in result.Verdicts.SelectMany(v => v.Problems))
                {
                    await error.WriteLineAsync($"error: {problem.Message}");
                }

                var failed = string.Join(", ", result.Verdicts.Where(v => !v.Verified).Select(v => v.BundleId ?? v.ObjectName));
                await error.WriteLineAsync($"error: bundle {id.Bundle} did not pass the checks of verify ({failed}): nothing was kept, {directory} does not remain.");
                return ExitCodes.Problem;
            }

            foreach (var part in result.Parts)
            {
                await output.WriteLineAsync($"Extracted {part.Files} files of part {part.Id.Part} (bundle object sha256 {part.Sha256}, {part.Size} bytes) to {Path.Combine(directory, Audit.CaseFolder.PartFolder(part.Id.Part))}.".AsMemory(), ct);
            }

            var seals = new SealCounts();
            foreach (var verdict in result.Verdicts)
            {
                seals.Add(verdict);
            }

            await output.WriteLineAsync($"Case folder {directory}: {result.Parts.Count} part(s), case.json, the newest part's summary and one {BundleLayout.Entries.Timeline} merged in time order.".AsMemory(), ct);
            await output.WriteLineAsync($"Verified as verify {id.Bundle} does, every part: bytes against the index entry and object metadata, every file against its manifest, the seals, the chain and the checks across parts. Check it again offline with: rsf verify --extracted {directory} --public-key FILE --require-signature".AsMemory(), ct);
            if (seals.Summary() is { } custodyLine)
            {
                await output.WriteLineAsync(custodyLine.AsMemory(), ct);
            }

            return await custody.PassedAsync(parse, result.Verdicts, error);
        }, cancellationToken));
        return command;
    }

    private static async Task<int> ManifestOnlyAsync(IEvidenceReader evidence, Bundle.BundleId id, string directory, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (result, metadataChecked) = await BundleExtractor.ExtractManifestOnlyAsync(evidence, id, directory, new StderrProgress(error), ct);
        if (!result.Succeeded)
        {
            foreach (var problem in result.Problems)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }

            await error.WriteLineAsync($"error: bundle {id} did not match its own manifest: nothing was kept in {directory}.");
            return ExitCodes.Problem;
        }

        await output.WriteLineAsync($"Extracted {result.Files.Count} files of bundle {id} to {directory}.".AsMemory(), ct);
        await output.WriteLineAsync(
            ($"Checked against its own {BundleLayout.Entries.Manifest} only (--manifest-only): every file's size and SHA-256 match it. The index entry was not used, "
            + (metadataChecked
                ? $"but the bundle's SHA-256 {result.Sha256} matches its object metadata."
                : $"and nothing recorded outside the bundle vouches for its SHA-256 {result.Sha256} (the store keeps no object metadata).")
            + $" Its seal (signature, timestamp), if it has one, was not checked here: run verify --extracted {directory} --public-key FILE.").AsMemory(), ct);
        return ExitCodes.Ok;
    }
}
