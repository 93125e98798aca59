using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>
/// Pending records are reminders; the previous part's index entry holds the plan. A garbled record neither spins
/// the runner nor floods the log; a far-future <c>due</c> cannot postpone the part (nor overflow a wait); and a
/// settled part is not read again on every pass.
/// </summary>
public sealed class PendingRecordRobustnessTest : IDisposable
{
    private static readonly TimeSpan s_retryAfter = TimeSpan.FromSeconds(2);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task GarbledPendingRecord_CompleteWait_RunsOnThePlan_ReportsItOnce_NoBusyLoop()
    {
        var id = await SeedPendingAsync();
        await OverwriteRecordAsync(id, "\u0001garbled{{{ not a record");
        var store = new LocalEvidenceStore(_folder.Path);
        var logger = new Collect.Support.ListLogger<CompletionRunner>();
        var runner = new CompletionRunner(store, Function(store, [new ScriptedCollector("container-logs")]), Defaults.Completion, TimeProvider.System, logger);

        // Not due by the plan (part 1's index entry): no attempt, and one warning however many passes.
        for (var pass = 0; pass < 3; pass++)
        {
            Assert.Empty((await runner.RunDueAsync(1, CancellationToken.None)).Attempts);
        }

        Assert.Single(logger.Messages, m => m.Contains("is unreadable", StringComparison.Ordinal));

        var (code, output, error) = await CompleteWaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == ExitCodes.Ok, $"exit {code}\n{output}\n{error}");
        Assert.Contains("Nothing left pending.", output, StringComparison.Ordinal);
        Assert.True(Count(output, "waiting until") <= 2, output);
        Assert.NotNull(await new LocalEvidenceStore(_folder.Path).ReadIndexEntryAsync(id.WithPart(2), CancellationToken.None));
    }

    [Fact]
    public async Task FarFutureDueInARecord_IsClampedToThePlan_CompleteWaitFinishes()
    {
        var id = await SeedPendingAsync();
        var record = new PendingRecord { BundleId = id.Value, Part = 2, Due = DateTimeOffset.Parse("9000-01-01T00:00:00Z", CultureInfo.InvariantCulture), CreatedAt = DateTimeOffset.UtcNow };
        await OverwriteRecordAsync(id, System.Text.Encoding.UTF8.GetString(EvidenceJson.Serialize(record)));

        var (code, output, error) = await CompleteWaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == ExitCodes.Ok, $"exit {code}\n{output}\n{error}");
        Assert.DoesNotContain("9000", output, StringComparison.Ordinal);
        Assert.NotNull(await new LocalEvidenceStore(_folder.Path).ReadIndexEntryAsync(id.WithPart(2), CancellationToken.None));
    }

    [Fact]
    public async Task SettledPart_IsNotReadAgainOnTheNextPass()
    {
        var id = await SeedPendingAsync();
        var store = new LocalEvidenceStore(_folder.Path);
        var runner = new CompletionRunner(store, Function(store, [new ScriptedCollector("container-logs")]), Defaults.Completion, TimeProvider.System, NullLogger<CompletionRunner>.Instance);
        await Task.Delay(s_retryAfter + TimeSpan.FromMilliseconds(200));
        var first = await runner.RunDueAsync(1, CancellationToken.None);
        Assert.Equal(CompletionOutcome.Done, Assert.Single(first.Attempts).Result.Outcome);
        await runner.RunDueAsync(1, CancellationToken.None);

        // Were the settled part read again, its missing index entry would make it open (and attempted) once more.
        var index = Path.Combine(_folder.Path, BundleLayout.IndexObject(id.WithPart(2)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.GetDirectoryName(index)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.Delete(index);
        var after = await runner.RunDueAsync(1, CancellationToken.None);

        Assert.Empty(after.Attempts);
        Assert.Empty(after.Remaining);
    }

    private async Task<BundleId> SeedPendingAsync()
    {
        var store = new LocalEvidenceStore(_folder.Path);
        var processor = new IntakeProcessor(
            Function(store, [new TransientCollector("container-logs")]),
            new QuarantineWriter(store, NullLogger<QuarantineWriter>.Instance),
            TimeProvider.System);
        var result = await processor.ProcessAsync(
            RawDelivery.FromBytes(new Dictionary<string, string> { ["content-type"] = "application/json" }, TestData.Sample("reverse-shell.pubsub-push.json"), DateTimeOffset.UtcNow, DeliverySource.Replay, "seed"),
            CancellationToken.None);
        Assert.Equal(Completeness.Pending, result.IndexEntry!.Summary.Completion!.State);
        return BundleId.Parse(result.BundleId!);
    }

    private static EvidenceFunction Function(IEvidenceStore store, IReadOnlyList<ICollector> collectors) => new(
        new CollectionRules(Defaults.Rules),
        new CollectionRunner(collectors, Defaults.Collection, TimeProvider.System, NullLogger<CollectionRunner>.Instance),
        store,
        new PartWriting(new ToolInfo("ReverseShellFunction", "test")),
        TimeProvider.System,
        NullLogger<EvidenceFunction>.Instance,
        new PipelineTiming { Completion = Defaults.Completion with { RetryAfter = s_retryAfter }, Delivery = Defaults.Delivery });

    private async Task OverwriteRecordAsync(BundleId id, string content)
    {
        var path = Path.Combine(_folder.Path, BundleLayout.PendingObject(id.WithPart(2)));
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(path, content);
    }

    private async Task<(int Code, string Output, string Error)> CompleteWaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null));
        var code = await CommandLineApp.InvokeAsync(root, ["complete", "--wait", "--dir", _folder.Path], configuration, cancel.Token);
        return (code, output.ToString(), error.ToString());
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    /// <summary>A collector whose API answered 503 to the end: transient, so a later part runs it again.</summary>
    private sealed class TransientCollector(string name) : ICollector
    {
        public string Name => name;

        public Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken) =>
            Task.FromResult(new CollectorReport { Name = name, Status = CollectorStatus.Failed, Reason = "503 UNAVAILABLE: injected", RetryLater = true });
    }
}
