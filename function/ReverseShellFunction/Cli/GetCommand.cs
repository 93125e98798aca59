using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>get BUNDLE_ID [--out DIR]</c>: downloads a bundle and extracts it into an empty folder, verifying the
/// bundle's SHA-256 against its index entry and every file against the manifest. On any mismatch nothing is
/// kept: the folder is removed again (or emptied, if it existed empty) and the exit code is 1.
/// </summary>
public static class GetCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleId = new Argument<string>("bundle-id") { Description = "The bundle's id, as list prints it" };
        var outDir = new Option<string?>("--out") { Description = "Extract into this folder, which must be absent or empty (default: ./BUNDLE_ID)" };
        var command = new Command("get", "Download a bundle and extract it, verifying every hash");
        command.Arguments.Add(bundleId);
        command.Options.Add(outDir);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunReadOnlyAsync(parse, store, async (services, output, ct) =>
        {
            var id = BundleIdText.Parse(parse.GetValue(bundleId));
            var directory = Path.GetFullPath(parse.GetValue(outDir) ?? id.Value);
            if (File.Exists(directory) || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
            {
                throw new UsageException($"{directory} exists and is not an empty folder; choose another --out. Nothing is ever overwritten.");
            }

            var error = parse.InvocationConfiguration.Error;
            var extractor = new BundleExtractor(services.GetRequiredService<IEvidenceStore>());
            var result = await extractor.ExtractAsync(id, directory, new StderrProgress(error), ct);
            if (!result.Succeeded)
            {
                if (result.Problems.Any(p => p.Kind == ProblemKind.NotFound))
                {
                    // Unknown, not tampered: say so in those words.
                    await error.WriteLineAsync($"error: bundle {id} not found in {services.GetRequiredService<IEvidenceStore>().Location}: no index entry {StoreLayout.IndexObject(id)} and no bundle object {StoreLayout.BundleObject(id)}.");
                    return ExitCodes.Problem;
                }

                foreach (var problem in result.Problems)
                {
                    await error.WriteLineAsync($"error: {problem.Message}");
                }

                await error.WriteLineAsync($"error: bundle {id} did not pass the checks of verify: nothing was extracted, and nothing was kept in {directory}.");
                return ExitCodes.Problem;
            }

            await output.WriteLineAsync($"Extracted {result.Files.Count} files of bundle {id} to {directory}.".AsMemory(), ct);
            await output.WriteLineAsync($"Verified as verify does: the bundle's SHA-256 {result.Sha256} matches its index entry and object metadata, every file's size and SHA-256 match manifest.json, and the index entry agrees with the manifest and summary.json.".AsMemory(), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
