using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
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

    private PipelineHarness(FakeGoogleApis fake, bool withCredentials, TimeSpan deadline, IReadOnlyDictionary<string, string>? extra, TimeProvider? clock = null)
    {
        Fake = fake;
        var variables = new Dictionary<string, string>(fake.EnvironmentVariables)
        {
            ["EVIDENCE_DIR"] = Path.Combine(_temp.Path, "evidence"),
            ["REDACTION_HMAC_KEY"] = "pipeline-test-key",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        var settings = FunctionSettings.From(name => variables.GetValueOrDefault(name));
        settings = settings with { Collection = settings.Collection with { Deadline = deadline } };
        Store = new LocalEvidenceStore(settings.EvidenceDir);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddSingleton<IAccessTokenSource>(new FixedTokenSource(withCredentials ? fake.AccessToken : null));
        services.AddSingleton(new RecordedDelays().Policy(TimeSpan.FromSeconds(5)));
        services.AddEvidencePipeline(settings);
        _services = services.BuildServiceProvider();
    }

    public FakeGoogleApis Fake { get; }

    public IServiceProvider Services => _services;

    public EvidenceFunction Function => _services.GetRequiredService<EvidenceFunction>();

    /// <summary>The pipeline and the fake on one clock the test moves: the fake serves a log entry only once it is ingested by that clock.</summary>
    public static async Task<PipelineHarness> StartAtAsync(TimeProvider clock, IReadOnlyDictionary<string, string>? variables = null, FakeGoogleApisOptions? options = null) =>
        new(await FakeGoogleApis.StartAsync((options ?? new FakeGoogleApisOptions()) with { Clock = clock }), true, TimeSpan.FromSeconds(30), variables, clock);

    public LocalEvidenceStore Store { get; }

    /// <param name="withCredentials">Whether the token source has a token.</param>
    /// <param name="deadline">The collection deadline.</param>
    /// <param name="variables">More settings, such as MARK_FINDINGS.</param>
    public static async Task<PipelineHarness> StartAsync(bool withCredentials = true, TimeSpan? deadline = null, IReadOnlyDictionary<string, string>? variables = null) =>
        new(await FakeGoogleApis.StartAsync(), withCredentials, deadline ?? TimeSpan.FromSeconds(30), variables);

    /// <summary>Against a fake whose fixtures are shaped by <paramref name="options"/> (e.g. the container's output).</summary>
    public static async Task<PipelineHarness> StartAsync(FakeGoogleApisOptions options, IReadOnlyDictionary<string, string>? variables = null) =>
        new(await FakeGoogleApis.StartAsync(options), true, TimeSpan.FromSeconds(60), variables);

    /// <summary>Replays a notification (the decoded Pub/Sub data) wrapped in a push body.</summary>
    public async Task<PipelineResult> ReplayNotificationAsync(byte[] notification, string messageId)
    {
        var body = Notifications.PushBody(notification, messageId);
        var raw = RawDelivery.FromBytes(
            new Dictionary<string, string> { ["content-type"] = "application/json" }, body, DateTimeOffset.UtcNow, DeliverySource.Replay, "notification-" + messageId);
        return await _services.GetRequiredService<IntakeProcessor>().ProcessAsync(raw, CancellationToken.None);
    }

    /// <summary>Replays the sample Pub/Sub push through the intake, as <c>replay</c> does.</summary>
    public async Task<PipelineResult> ReplaySampleAsync()
    {
        var body = TestData.Sample("reverse-shell.pubsub-push.json");
        var raw = RawDelivery.FromBytes(
            new Dictionary<string, string> { ["content-type"] = "application/json" }, body, DateTimeOffset.UtcNow, DeliverySource.Replay, "reverse-shell.pubsub-push.json");
        return await _services.GetRequiredService<IntakeProcessor>().ProcessAsync(raw, CancellationToken.None);
    }

    /// <summary>Replays <paramref name="notification"/> wrapped in a Pub/Sub push body, as a publisher to the topic could send it.</summary>
    public async Task<PipelineResult> ReplayNotificationAsync(byte[] notification)
    {
        var push = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            message = new { data = Convert.ToBase64String(notification), messageId = "4711", publishTime = "2026-11-28T21:14:10.000Z" },
            subscription = "projects/shop-prod-4471/subscriptions/reverse-shell-push",
        });
        var raw = RawDelivery.FromBytes(
            new Dictionary<string, string> { ["content-type"] = "application/json" }, push, DateTimeOffset.UtcNow, DeliverySource.Replay, "forged.json");
        return await _services.GetRequiredService<IntakeProcessor>().ProcessAsync(raw, CancellationToken.None);
    }

    /// <summary>Every entry of the stored bundle, unzipped.</summary>
    public async Task<Dictionary<string, byte[]>> ReadBundleAsync(string bundleId)
    {
        Assert.True(BundleId.TryParse(bundleId, out var id));
        return await ReadEntriesAsync(Store, id);
    }

    /// <summary>Every entry of one stored part, unzipped.</summary>
    public static async Task<Dictionary<string, byte[]>> ReadEntriesAsync(LocalEvidenceStore store, BundleId id)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var stream = await store.OpenBundleAsync(id, CancellationToken.None);
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
