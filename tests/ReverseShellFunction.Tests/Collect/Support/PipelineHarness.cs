using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collect.Auth;
using ReverseShellFunction.Collect.GoogleApis;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>
/// The whole function as <c>replay</c> builds it (AddEvidencePipeline, so AddCollectors too), pointed at a
/// fake Google APIs server and a folder store in a temporary folder. Only the token source and the retry
/// waits are swapped, through the seams AddCollectors leaves open.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ServiceProvider _services;

    private PipelineHarness(FakeGoogleApis fake, bool withCredentials, TimeSpan deadline)
    {
        Fake = fake;
        var variables = new Dictionary<string, string>(fake.EnvironmentVariables)
        {
            ["EVIDENCE_DIR"] = Path.Combine(_temp.Path, "evidence"),
            ["REDACTION_HMAC_KEY"] = "pipeline-test-key",
        };
        var settings = FunctionSettings.From(name => variables.GetValueOrDefault(name));
        settings.Collection.Deadline = deadline;
        Store = new LocalEvidenceStore(settings.EvidenceDir);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IAccessTokenSource>(new FixedTokenSource(withCredentials ? fake.AccessToken : null));
        services.AddSingleton(new RecordedDelays().Policy(TimeSpan.FromSeconds(5)));
        services.AddEvidencePipeline(settings);
        _services = services.BuildServiceProvider();
    }

    public FakeGoogleApis Fake { get; }

    public LocalEvidenceStore Store { get; }

    public static async Task<PipelineHarness> StartAsync(bool withCredentials = true, TimeSpan? deadline = null) =>
        new(await FakeGoogleApis.StartAsync(), withCredentials, deadline ?? TimeSpan.FromSeconds(30));

    /// <summary>Replays the sample Pub/Sub push through the intake, as <c>replay</c> does.</summary>
    public async Task<PipelineResult> ReplaySampleAsync()
    {
        var body = TestData.Sample("reverse-shell.pubsub-push.json");
        var raw = RawDelivery.FromBytes(
            new Dictionary<string, string> { ["content-type"] = "application/json" }, body, DateTimeOffset.UtcNow, DeliverySource.Replay, "reverse-shell.pubsub-push.json");
        return await _services.GetRequiredService<IntakeProcessor>().ProcessAsync(raw, CancellationToken.None);
    }

    /// <summary>Every entry of the stored bundle, unzipped.</summary>
    public async Task<Dictionary<string, byte[]>> ReadBundleAsync(string bundleId)
    {
        Assert.True(BundleId.TryParse(bundleId, out var id));
        await using var stream = await Store.OpenBundleAsync(id, CancellationToken.None);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            await using var content = entry.Open();
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            entries[entry.FullName] = copy.ToArray();
        }

        return entries;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Fake.DisposeAsync();
        _temp.Dispose();
    }
}
