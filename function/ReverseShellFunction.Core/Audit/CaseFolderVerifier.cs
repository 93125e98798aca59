using System.Security.Cryptography;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Report;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// <c>verify --extracted CASE</c> on a folder <c>get</c> made (<see cref="CaseFolder"/>), offline: every part folder
/// as <see cref="ExtractedFolderVerifier"/> checks one (files against the manifest, seal against the auditor's
/// keys), the chain as far as the folder can show it (each part's signed manifest names the same bundle, its own
/// part number and the previous part's object), the checks across parts that the store's audit runs
/// (<see cref="BundleChecks"/>), and that the top-level files are exactly what the parts give, byte for byte.
/// </summary>
public static class CaseFolderVerifier
{
    /// <summary>Whether the folder is a case folder (rather than one part's files, as get --manifest-only writes them).</summary>
    public static bool IsCase(string folder) =>
        File.Exists(Path.Combine(folder, CaseFolder.FileName)) || Directory.Exists(Path.Combine(folder, CaseFolder.PartFolder(1)));

    /// <summary>One verdict per part, then one for the case's own files.</summary>
    public static async Task<IReadOnlyList<BundleVerification>> VerifyAsync(string folder, CustodyTrust trust, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(trust);
        var root = Path.GetFullPath(folder);
        var (parts, others) = CaseFolder.Folders(root);
        var results = new List<BundleVerification>();
        Manifest? first = null;
        for (var part = 1; part <= parts; part++)
        {
            var partFolder = Path.Combine(root, CaseFolder.PartFolder(part));
            var result = await ExtractedFolderVerifier.VerifyAsync(partFolder, trust, cancellationToken);
            var (_, manifest) = await CaseFolder.ReadJsonAsync<Manifest>(Path.Combine(partFolder, BundleLayout.Entries.Manifest), cancellationToken);
            first ??= manifest;
            results.Add(CheckLink(result, manifest, first, part));
        }

        var state = await CaseFolder.StateAsync(root, parts, cancellationToken);
        results = [.. BundleChecks.Apply(results, state, now, $"{CaseFolder.PartFolder(parts)}/{BundleLayout.Entries.Summary}")];
        results.Add(await CheckTopAsync(root, parts, others, cancellationToken));
        return results;
    }

    /// <summary>Part n's manifest against its place in the case: same bundle as part 1, part n, linked to part n−1's object.</summary>
    private static BundleVerification CheckLink(BundleVerification result, Manifest? manifest, Manifest? first, int part)
    {
        if (manifest is null)
        {
            return result;
        }

        var problems = new List<VerificationProblem>();
        var subject = $"bundle {result.BundleId ?? CaseFolder.PartFolder(part)}";
        void Problem(string text, string expected, string found) =>
            problems.Add(new VerificationProblem(ProblemKind.ChainBroken, $"{CaseFolder.PartFolder(part)}/{BundleLayout.Entries.Manifest}", expected, found, $"{subject}: {text}"));

        if (!BundleId.TryParse(manifest.BundleId, out var id) || manifest.BundleId != first?.BundleId)
        {
            Problem($"{CaseFolder.PartFolder(part)} holds bundle {DisplayText.Visible(manifest.BundleId, 100)}, part 1 is bundle {DisplayText.Visible(first?.BundleId, 100)}", first?.BundleId ?? "?", DisplayText.Visible(manifest.BundleId, 100));
        }
        else if ((manifest.Part ?? 1) != part)
        {
            Problem($"{CaseFolder.PartFolder(part)} holds part {manifest.Part}", $"{part}", $"{manifest.Part}");
        }
        else if (part == 1 && manifest.PreviousPart is not null)
        {
            Problem("part 1 names a previous part", "no previous part", $"part {manifest.PreviousPart.Part}");
        }
        else if (part > 1 && (manifest.PreviousPart is not { } link || link.Part != part - 1 || link.ObjectName != BundleLayout.BundleObject(id.WithPart(part - 1))))
        {
            Problem($"part {part} does not name part {part - 1} ({BundleLayout.BundleObject(id.WithPart(part - 1))}) as its previous part", BundleLayout.BundleObject(id.WithPart(part - 1)), DisplayText.Visible(manifest.PreviousPart?.ObjectName ?? "none", 200));
        }

        var detail = part == 1 ? "part 1: the start of the chain" : $"part {part}'s manifest names part {part - 1}'s object and SHA-256 (as in case.json)";
        return result with
        {
            Problems = [.. result.Problems, .. problems],
            Checks = [.. result.Checks, new VerificationCheck("chain", problems.Count == 0 ? CheckOutcome.Passed : CheckOutcome.Failed, detail)],
        };
    }

    /// <summary>The case's own files: exactly case.json, the newest part's summary files and the merged timeline, each as derived again.</summary>
    private static async Task<BundleVerification> CheckTopAsync(string root, int parts, IReadOnlyList<string> others, CancellationToken cancellationToken)
    {
        var log = VerificationLog.ForObject($"case {DisplayText.Visible(root)}");
        var before = log.ProblemCount;
        if (parts == 0)
        {
            log.Problem(ProblemKind.FileMissing, $"the case has no {CaseFolder.PartFolder(1)}/ folder: not a folder that get made", CaseFolder.PartFolder(1), "part-1/", "no folder");
        }

        foreach (var other in others)
        {
            log.Problem(ProblemKind.FileExtra, $"folder {DisplayText.Visible(other)}/ is in the case but is no part of it (parts are {CaseFolder.PartFolder(1)}/ to {CaseFolder.PartFolder(Math.Max(parts, 1))}/)", DisplayText.Visible(other));
        }

        // Write-only streams that feed a hash, so the derived files are compared without a copy on disk.
        var hashes = new Dictionary<string, SHA256>(StringComparer.Ordinal);
        await CaseFolder.WriteTopAsync(root, parts, name => new CryptoStream(Stream.Null, hashes[name] = SHA256.Create(), CryptoStreamMode.Write), cancellationToken);
        var expected = hashes.ToDictionary(h => h.Key, h => Convert.ToHexStringLower(h.Value.Hash!), StringComparer.Ordinal);
        foreach (var sha in hashes.Values)
        {
            sha.Dispose();
        }

        foreach (var (name, hash) in expected)
        {
            var path = Path.Combine(root, name);
            if (!File.Exists(path))
            {
                log.Problem(ProblemKind.FileMissing, $"file {name} is missing from the case", name, hash, "no file");
            }
            else if ((await BundleWriter.HashFileAsync(path, cancellationToken)).Sha256 is var found && found != hash)
            {
                log.Problem(ProblemKind.FileHashMismatch, $"file {name} is not what the parts give ({Describe(name, parts)})", name, hash, found);
            }
        }

        foreach (var file in Directory.EnumerateFiles(root).Select(Path.GetFileName).OfType<string>().Where(n => !expected.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            log.Problem(ProblemKind.FileExtra, $"file {DisplayText.Visible(file)} is in the case but no part gives it", DisplayText.Visible(file));
        }

        log.Outcome("case-files", before, $"{expected.Count} top-level files, each exactly what the {parts} part(s) give");
        return log.Result(null, $"case {DisplayText.Visible(root)}", "n/a (extracted folder)");
    }

    private static string Describe(string name, int parts) =>
        name == CaseFolder.FileName ? "the parts' manifests, seals and state"
        : name == BundleLayout.Entries.Timeline ? "every part's timeline merged in time order"
        : $"a copy of {CaseFolder.PartFolder(parts)}/{name}";
}
