using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>get ID [--out DIR]</c> (a bundle id, list's short id, a finding id or name): downloads a bundle and extracts it into an empty folder, verifying the
/// bundle's SHA-256 against its index entry and every file against the manifest. On any mismatch nothing is
/// kept: the folder is removed again (or emptied, if it existed empty) and the exit code is 1.
/// </summary>
public static class GetCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleId = new Argument<string>("id") { Description = $"Which bundle: {BundleLookup.Accepted}" };
        var outDir = new Option<string?>("--out") { Description = "Extract into this folder, which must be absent or empty (default: ./BUNDLE_ID)" };
        var command = new Command("get", "Download a bundle and extract it, verifying every hash");
        command.Arguments.Add(bundleId);
        var manifestOnly = new Option<bool>("--manifest-only")
        {
            Description = "For a bundle whose index entry is damaged or missing: check it against its own manifest (and object metadata) only, and say so",
        };
        command.Options.Add(outDir);
        command.Options.Add(manifestOnly);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunReadOnlyAsync(parse, store, async (services, output, ct) =>
        {
            var evidence = services.GetRequiredService<IEvidenceStore>();
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(bundleId);
            if (await BundleLookup.ResolveAsync(evidence, text, error, ct) is not { } id)
            {
                await error.WriteLineAsync($"error: not found: no bundle for '{AuditText.Clean(text, 100)}' in {evidence.Location}.");
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

            var extractor = new BundleExtractor(evidence);
            var result = await extractor.ExtractAsync(id, directory, new StderrProgress(error), ct);
            if (!result.Succeeded)
            {
                if (result.Problems.Any(p => p.Kind == ProblemKind.NotFound))
                {
                    // Unknown, not tampered: say so in those words.
                    await error.WriteLineAsync($"error: not found: bundle {id} is not in {evidence.Location}: no index entry {StoreLayout.IndexObject(id)} and no bundle object {StoreLayout.BundleObject(id)}.");
                    return ExitCodes.Problem;
                }

                foreach (var problem in result.Problems)
                {
                    await error.WriteLineAsync($"error: {problem.Message}");
                }

                await error.WriteLineAsync($"error: bundle {id} did not pass the checks of verify: nothing was extracted, and nothing was kept in {directory}.");
                return ExitCodes.Problem;
            }

            // Later parts, each verified the same way, into part-N/ beside part 1's files; any failure keeps nothing.
            var logical = await LogicalBundle.ReadAsync(evidence, id, ct);
            var later = logical?.Parts.Skip(1).ToList() ?? [];

            // The bundle's state first, from its newest part (the final word), in the words every view uses.
            if (logical is not null)
            {
                await output.WriteLineAsync(AuditText.Clean(Bundle.StateWords.FirstLine(logical.Latest.Entry.Summary), 2000).AsMemory(), ct);
            }

            foreach (var part in later)
            {
                var partResult = await extractor.ExtractAsync(part.Id, Path.Combine(directory, $"part-{part.Part}"), new StderrProgress(error), ct);
                if (!partResult.Succeeded)
                {
                    Directory.Delete(directory, recursive: true);
                    foreach (var problem in partResult.Problems)
                    {
                        await error.WriteLineAsync($"error: {problem.Message}");
                    }

                    await error.WriteLineAsync($"error: part {part.Part} of bundle {id} did not pass the checks of verify: nothing was kept in {directory}.");
                    return ExitCodes.Problem;
                }

                await output.WriteLineAsync($"Extracted {partResult.Files.Count} files of part {part.Part} (sha256 {partResult.Sha256}) to {Path.Combine(directory, $"part-{part.Part}")}.".AsMemory(), ct);
            }

            await output.WriteLineAsync($"Extracted {result.Files.Count} files of bundle {id} to {directory}.".AsMemory(), ct);
            await output.WriteLineAsync($"Verified as verify does: the bundle's SHA-256 {result.Sha256} matches its index entry and object metadata, every file's size and SHA-256 match manifest.json, and the index entry agrees with the manifest and summary.json.".AsMemory(), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static async Task<int> ManifestOnlyAsync(IEvidenceReader evidence, Bundle.BundleId id, string directory, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (result, metadataChecked) = await new BundleExtractor(evidence).ExtractManifestOnlyAsync(id, directory, new StderrProgress(error), ct);
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
            ($"Checked against its own manifest.json only (--manifest-only): every file's size and SHA-256 match it. The index entry was not used, "
            + (metadataChecked
                ? $"but the bundle's SHA-256 {result.Sha256} matches its object metadata."
                : $"and nothing recorded outside the bundle vouches for its SHA-256 {result.Sha256} (the store keeps no object metadata).")
            + $" Its seal (signature, timestamp), if it has one, was not checked here: run verify --extracted {directory} --public-key FILE.").AsMemory(), ct);
        return ExitCodes.Ok;
    }
}
