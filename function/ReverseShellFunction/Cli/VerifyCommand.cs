using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>verify [BUNDLE_ID… | --all | --since … --until …]</c>: checks bundles and index entries against each
/// other (see <see cref="BundleVerifier"/>). With <c>--all</c> or a time range both prefixes are listed and
/// cross-checked. Exit 0 when everything verified, 1 on any problem, 2 on usage or access errors.
/// </summary>
public static class VerifyCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bundleIds = new Argument<string[]>("bundle-id") { Description = "Bundle ids to verify", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Verify every bundle and index entry in the store, cross-checking both" };
        var range = new TimeRangeOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object per bundle (checks and problems) instead of text" };
        var command = new Command("verify", "Verify bundles against their index entries, manifests and object metadata");
        command.Arguments.Add(bundleIds);
        command.Options.Add(all);
        range.AddTo(command);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunReadOnlyAsync(parse, store, async (services, output, ct) =>
        {
            var texts = parse.GetValue(bundleIds) ?? [];
            var ids = texts.Select(BundleIdText.Parse).Distinct().ToList();
            var listing = parse.GetValue(all) || range.IsGiven(parse);
            if (ids.Count > 0 == listing)
            {
                throw new UsageException("Give bundle ids, or --all and/or --since/--until, not both and not neither.");
            }

            var evidence = services.GetRequiredService<IEvidenceStore>();
            var audit = new StoreAudit(evidence);
            var results = listing
                ? audit.VerifyAllAsync(range.Range(parse, services.GetRequiredService<TimeProvider>().GetUtcNow()), ct)
                : VerifyEachAsync(audit.Verifier, ids, ct);
            var (verified, failed) = (0, 0);
            await foreach (var result in results)
            {
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
                    await VerificationText.WriteAsync(output, result, ct);
                }
            }

            if (!parse.GetValue(json))
            {
                await output.WriteLineAsync(VerificationText.Footer(verified, failed, evidence.Location).AsMemory(), ct);
            }

            return failed == 0 ? ExitCodes.Ok : ExitCodes.Problem;
        }, cancellationToken));
        return command;
    }

    private static async IAsyncEnumerable<BundleVerification> VerifyEachAsync(
        BundleVerifier verifier, IReadOnlyList<Bundle.BundleId> ids, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            yield return await verifier.VerifyAsync(id, cancellationToken);
        }
    }
}
