using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Pipeline;

public sealed class EvidenceFunctionTest : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalEvidenceStore _store;

    public EvidenceFunctionTest() => _store = new LocalEvidenceStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReverseShell_IsStored_WithBundleAndIndexEntry()
    {
        var result = await new PipelineHarness(_store).PushAsync(TestData.Sample("reverse-shell.notification.json"));

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Single(Files("bundles"));
        Assert.Single(Files("index"));
        Assert.Equal("198.51.100.23:4444", result.IndexEntry!.Summary.Network.Remote);
    }

    [Fact]
    public async Task Redelivery_AnswersAlreadyStored_WithoutCollectingAgain()
    {
        var collector = new ScriptedCollector("related-findings");
        var harness = new PipelineHarness(_store, [collector]);

        var first = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"), "1");
        var second = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"), "2");

        Assert.Equal(PipelineOutcome.Stored, first.Outcome);
        Assert.Equal(PipelineOutcome.AlreadyStored, second.Outcome);
        Assert.Equal(first.BundleId, second.BundleId);
        Assert.Equal(1, collector.Calls);
        Assert.Single(Files("bundles"));
        Assert.Single(Files("index"));
    }

    [Fact]
    public async Task OtherCategory_IsIgnored_AndNothingIsWritten()
    {
        var result = await new PipelineHarness(_store).PushAsync(TestData.Sample("other-category.notification.json"));

        Assert.Equal(PipelineOutcome.Ignored, result.Outcome);
        Assert.Contains("Execution: Added Malicious Binary Executed", result.Reason, StringComparison.Ordinal);
        Assert.Empty(Files(""));
    }

    [Theory]
    [InlineData("INACTIVE", "UNMUTED", false, "not ACTIVE")]
    [InlineData("ACTIVE", "MUTED", false, "muted")]
    public async Task InactiveOrMuted_IsIgnored(string state, string mute, bool collectMuted, string reason)
    {
        var json = Notifications.SampleNotification();
        json.Finding()["state"] = state;
        json.Finding()["mute"] = mute;

        var result = await new PipelineHarness(_store, rules: Defaults.Rules with { CollectMuted = collectMuted }).PushAsync(json.Bytes());

        Assert.Equal(PipelineOutcome.Ignored, result.Outcome);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Muted_IsCollected_WhenConfigured_AndCategoryMatchesCaseInsensitively()
    {
        var json = Notifications.SampleNotification();
        json.Finding()["mute"] = "MUTED";
        json.Finding()["category"] = "REVERSE SHELL";

        var result = await new PipelineHarness(_store, rules: Defaults.Rules with { CollectMuted = true }).PushAsync(json.Bytes());

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
    }

    [Fact]
    public async Task CorruptBody_IsQuarantinedWithHeadersMinusCredentials()
    {
        var raw = RawDeliveries.Binary(Encoding.UTF8.GetBytes("{\"message\":{\"data\":\"!!!not base64!!!\"}}"));

        var result = await new PipelineHarness(_store).Processor.ProcessAsync(raw, CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_folder.Path, result.ObjectName!))).RootElement;
        Assert.Equal("NotBase64", record.GetProperty("problem").GetString());
        Assert.Equal(raw.Body, Convert.FromBase64String(record.GetProperty("bodyBase64").GetString()!));
        Assert.Equal("13059784412345678", record.GetProperty("headers").GetProperty("ce-id").GetString());
        Assert.False(record.GetProperty("headers").TryGetProperty("authorization", out _));
        Assert.DoesNotContain("secret-oidc-token", Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(_folder.Path, result.ObjectName!))), StringComparison.Ordinal);
        Assert.Empty(Files("bundles"));
    }

    [Fact]
    public async Task OversizeBody_IsQuarantinedTruncated()
    {
        var body = new byte[QuarantineWriter.MaxBodyBytes + 1000];
        var raw = RawDeliveries.Push(body) with { BodyLength = 40_000_000 };

        var result = await new PipelineHarness(_store).Processor.ProcessAsync(raw, CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_folder.Path, result.ObjectName!))).RootElement;
        Assert.Equal("TooLarge", record.GetProperty("problem").GetString());
        Assert.True(record.GetProperty("bodyTruncated").GetBoolean());
        Assert.Equal(40_000_000, record.GetProperty("bodyLength").GetInt64());
    }

    [Fact]
    public async Task CrashBetweenBundleAndIndex_RedeliveryCompletesTheIndex()
    {
        var harness = new PipelineHarness(_store);
        var first = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"));
        var indexPath = Path.Combine(_folder.Path, first.ObjectName!);
        var original = File.ReadAllBytes(indexPath);
        File.Delete(indexPath);

        var second = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"), "2");

        Assert.Equal(PipelineOutcome.AlreadyStored, second.Outcome);
        Assert.Contains("index entry completed", second.Reason, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllBytes(indexPath));
    }

    [Fact]
    public async Task ConcurrentDeliveries_OfOneEvent_StoreExactlyOneBundle()
    {
        var harness = new PipelineHarness(_store);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => harness.PushAsync(TestData.Sample("reverse-shell.notification.json"), i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        Assert.Single(results, r => r.Outcome == PipelineOutcome.Stored);
        Assert.All(results, r => Assert.Equal(results[0].BundleId, r.BundleId));
        Assert.Single(Files("bundles"));
        Assert.Single(Files("index"));
    }

    [Fact]
    public async Task Manifest_ListsEveryOtherFile_WithCorrectSizesAndHashes_AndCollectorStatuses()
    {
        var collectors = new ICollector[]
        {
            new ScriptedCollector("related-findings"),
            new ScriptedCollector("cloud-run", throws: new InvalidOperationException("boom")),
            new ScriptedCollector("container-logs", CollectorStatus.Skipped, content: null),
        };
        var result = await new PipelineHarness(_store, collectors).PushAsync(TestData.Sample("reverse-shell.notification.json"));

        var entries = ZipContents.Read(File.ReadAllBytes(Path.Combine(_folder.Path, result.IndexEntry!.Bundle.ObjectName)));
        var manifest = EvidenceJson.Deserialize<Manifest>(entries[BundleLayout.Entries.Manifest]);

        Assert.Equal(entries.Keys.Where(k => k != BundleLayout.Entries.Manifest).Order(StringComparer.Ordinal), manifest.Files.Select(f => f.Path));
        Assert.All(manifest.Files, f =>
        {
            Assert.Equal(entries[f.Path].LongLength, f.Size);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(entries[f.Path])), f.Sha256);
        });
        Assert.Equal(TestData.Sample("reverse-shell.notification.json"), entries["notification.json"]);
        Assert.Equal(["cloud-run", "container-logs", "related-findings"], manifest.Collectors.Select(c => c.Name));
        Assert.Equal(CollectorStatus.Failed, manifest.Collectors[0].Status);
        Assert.Contains("boom", manifest.Collectors[0].Reason, StringComparison.Ordinal);
        Assert.Equal(CollectorStatus.Skipped, manifest.Collectors[1].Status);
        Assert.Equal(result.BundleId, manifest.BundleId);
        Assert.Equal(EvidenceJson.Serialize(result.IndexEntry.Summary), entries[BundleLayout.Entries.Summary]);
    }

    [Fact]
    public async Task CollectorPastTheDeadline_IsPartial_AndTheBundleIsStillWritten()
    {
        var collectors = new ICollector[] { new ScriptedCollector("container-logs", hang: true), new ScriptedCollector("related-findings") };
        var harness = new PipelineHarness(_store, collectors, collection: Defaults.Collection with { Deadline = TimeSpan.FromMilliseconds(200) });

        var result = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"));

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var logs = result.IndexEntry!.Summary.Collectors.Single(c => c.Name == "container-logs");
        Assert.Equal(CollectorStatus.Partial, logs.Status);
        Assert.Contains("deadline", logs.Reason, StringComparison.Ordinal);
        var entries = ZipContents.Read(File.ReadAllBytes(Path.Combine(_folder.Path, result.IndexEntry.Bundle.ObjectName)));
        Assert.True(entries.ContainsKey("container-logs.json"), "what the collector wrote before the deadline is kept");
    }

    [Fact]
    public async Task CollectorPastItsOwnTimeout_IsPartial_OthersAreOk()
    {
        var collectors = new ICollector[] { new ScriptedCollector("cloud-run", hang: true), new ScriptedCollector("related-findings") };
        var options = Defaults.Collection with { Deadline = TimeSpan.FromMinutes(5), CollectorTimeout = TimeSpan.FromMilliseconds(100) };

        var result = await new PipelineHarness(_store, collectors, collection: options).PushAsync(TestData.Sample("reverse-shell.notification.json"));

        var statuses = result.IndexEntry!.Summary.Collectors.ToDictionary(c => c.Name);
        Assert.Equal(CollectorStatus.Partial, statuses["cloud-run"].Status);
        Assert.Contains("collector timeout", statuses["cloud-run"].Reason, StringComparison.Ordinal);
        Assert.Equal(CollectorStatus.Ok, statuses["related-findings"].Status);
    }

    [Fact]
    public async Task SameCollectedData_GivesTheSameBytes()
    {
        using var other = new TempFolder();
        var a = await new PipelineHarness(_store).PushAsync(TestData.Sample("reverse-shell.notification.json"));
        var b = await new PipelineHarness(new LocalEvidenceStore(other.Path)).PushAsync(TestData.Sample("reverse-shell.notification.json"));

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(_folder.Path, a.IndexEntry!.Bundle.ObjectName)),
            File.ReadAllBytes(Path.Combine(other.Path, b.IndexEntry!.Bundle.ObjectName)));
        Assert.Equal(a.IndexEntry.Bundle.Sha256, b.IndexEntry.Bundle.Sha256);
    }

    [Fact]
    public async Task BundleEntries_AreInOrdinalOrder_WithTheEventTime()
    {
        var result = await new PipelineHarness(_store).PushAsync(TestData.Sample("reverse-shell.notification.json"));

        using var zip = ZipFile.OpenRead(Path.Combine(_folder.Path, result.IndexEntry!.Bundle.ObjectName));
        Assert.Equal(zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal), zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(2026, 11, 28, 21, 14, 6), e.LastWriteTime.DateTime));
    }

    private string[] Files(string prefix)
    {
        var directory = Path.Combine(_folder.Path, prefix);
        return Directory.Exists(directory) ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories) : [];
    }
}
