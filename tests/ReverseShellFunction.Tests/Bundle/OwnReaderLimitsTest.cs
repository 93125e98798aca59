using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>
/// The function never stores a part its own reader refuses: content an attacker controls and that deflate shrinks
/// beyond the reader's ratio limit (stdout of one repeated character, a notification of repeated text) is stored
/// whole and uncompressed, and the bundle passes <c>verify</c> and <c>get</c>.
/// </summary>
public sealed class OwnReaderLimitsTest : IAsyncLifetime, IDisposable
{
    private readonly LocalStoreUnderTest _store = new();
    private readonly TempFolder _out = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    public void Dispose() => _out.Dispose();

    [Fact]
    public async Task AttackerStdoutOfOneCharacter_15MB_BundleVerifiesAndGetExtractsEveryByte()
    {
        // 120 log lines of 128 KiB of 'A': about 15.7 MB that deflate shrinks about a thousand times.
        var options = new FakeGoogleApisOptions { ContainerLogEntries = 120, ContainerLogPayloadBytes = 128 * 1024, ContainerLogPayloadCharacter = 'A' };
        await using var harness = await Collect.Support.PipelineHarness.StartAsync(options, new Dictionary<string, string> { ["EVIDENCE_DIR"] = _store.StoreArgs[1] });

        var result = await harness.ReplaySampleAsync();

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var id = BundleId.Parse(result.BundleId!);
        var log = await EntryAsync(id, "logs/container.jsonl");
        Assert.True(log.Length >= 15_000_000, $"{log.Length} bytes of container log");
        await AssertVerifiesAndExtractsAsync(id, "logs/container.jsonl", log.Length);
        var lines = Encoding.UTF8.GetString(await ReadAsync(id, "logs/container.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(120, lines.Count(l => l.Contains(new string('A', 128 * 1024), StringComparison.Ordinal)));
        Assert.Equal(log.Length, log.CompressedLength);
    }

    [Fact]
    public async Task NotificationOf9_9MBCompressibleText_BundleVerifiesAndGetExtracts()
    {
        var root = JsonNode.Parse(TestData.Sample("reverse-shell.notification.json"))!;
        // Text deflate shrinks about a thousand times, as a finding's description or process argument can be.
        const string filler = "0000";
        root["finding"]!["description"] = "";
        var baseLength = Encoding.UTF8.GetByteCount(root.ToJsonString());
        root["finding"]!["description"] = new StringBuilder().Insert(0, filler, (9_900_000 - baseLength) / filler.Length).ToString();
        var notification = Encoding.UTF8.GetBytes(root.ToJsonString());
        Assert.InRange(notification.Length, 9_850_000, 9_900_000);
        var (processor, _) = Pipelines.Build(_store.Store, FakeCollector.StandardSet());

        var result = await processor.ProcessAsync(
            RawDelivery.FromBytes(new Dictionary<string, string> { ["content-type"] = "application/json" }, notification, DateTimeOffset.UtcNow, DeliverySource.Replay, "large"),
            CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var id = BundleId.Parse(result.BundleId!);
        await AssertVerifiesAndExtractsAsync(id, "notification.json", notification.Length);
        Assert.Equal(notification, await ReadAsync(id, "notification.json"));
        var stored = await EntryAsync(id, "notification.json");
        Assert.Equal(stored.Length, stored.CompressedLength);
    }

    [Fact]
    public async Task OrdinaryBundle_StaysCompressed()
    {
        var id = await EvidenceSeeder.ReplayAsync(_store.Store, new SampleEvent());

        var entry = await EntryAsync(id, "notification.json");

        Assert.True(entry.CompressedLength < entry.Length, $"{entry.CompressedLength} of {entry.Length}");
    }

    [Fact]
    public void ReaderLimits_AreTheWritersLimits()
    {
        // The writer's check and the reader's refusal are one definition: a ratio just over the limit is refused.
        Assert.False(EntryLimits.Refuses(EntryLimits.RatioFloorBytes, 1));
        Assert.True(EntryLimits.Refuses((EntryLimits.MaxCompressionRatio * 10_000) + 1, 10_000));
        Assert.False(EntryLimits.Refuses(EntryLimits.MaxCompressionRatio * 10_000, 10_000));
        Assert.True(EntryLimits.Refuses(EntryLimits.MaxEntryBytes + 1, EntryLimits.MaxEntryBytes + 1));
    }

    private async Task AssertVerifiesAndExtractsAsync(BundleId id, string path, long size)
    {
        var verify = await CliRun.RunAsync(_store, "verify", id.Value);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var folder = Path.Combine(_out.Path, "case");
        var get = await CliRun.RunAsync(_store, "get", id.Value, "--out", folder);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(size, new FileInfo(Path.Combine(folder, "part-1", path)).Length); // get writes a case folder: part 1 in part-1/
    }

    private async Task<(long Length, long CompressedLength)> EntryAsync(BundleId id, string path)
    {
        await using var stream = await _store.Store.OpenBundleAsync(id, CancellationToken.None);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var entry = zip.GetEntry(path)!;
        return (entry.Length, entry.CompressedLength);
    }

    private async Task<byte[]> ReadAsync(BundleId id, string path)
    {
        await using var stream = await _store.Store.OpenBundleAsync(id, CancellationToken.None);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        await using var content = zip.GetEntry(path)!.Open();
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }
}
