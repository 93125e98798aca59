using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.EndToEnd;

/// <summary>
/// The whole path with real components: the Pub/Sub emulator pushes to the function running on Kestrel,
/// which writes to a local evidence folder. Publishing the same finding twice gives one bundle.
/// </summary>
public sealed class PubSubPushEndToEndTest : IClassFixture<PubSubEmulatorFixture>, IDisposable
{
    private const string Project = "projects/rsf-e2e";
    private readonly PubSubEmulatorFixture _emulator;
    private readonly TempFolder _evidence = new();

    public PubSubPushEndToEndTest(PubSubEmulatorFixture emulator) => _emulator = emulator;

    public void Dispose() => _evidence.Dispose();

    [SkippableFact]
    public async Task PublishedNotifications_LandOnceEach_ThroughPushSubscription()
    {
        Skip.If(_emulator.Unavailable is not null && !PubSubEmulatorFixture.Required, _emulator.Unavailable);
        Assert.True(_emulator.Unavailable is null, _emulator.Unavailable);

        // The collectors call the Google API fakes, so every collector runs for real on the way.
        await using var apis = await FakeGoogleApis.StartAsync();
        var variables = new Dictionary<string, string>(apis.EnvironmentVariables) { ["EVIDENCE_DIR"] = _evidence.Path };
        await using var function = await FunctionHost.StartAsync(variables, tokens: new FixedTokenSource(apis.AccessToken));
        var statuses = function.Statuses;

        using var pubsub = new HttpClient { BaseAddress = _emulator.BaseUri };
        var topic = $"{Project}/topics/findings-{Guid.NewGuid():N}";
        (await pubsub.PutAsJsonAsync($"v1/{topic}", new { })).EnsureSuccessStatusCode();
        (await pubsub.PutAsJsonAsync($"v1/{Project}/subscriptions/push-{Guid.NewGuid():N}", new
        {
            topic,
            pushConfig = new { pushEndpoint = function.Address.ToString() },
            ackDeadlineSeconds = 60,
        })).EnsureSuccessStatusCode();

        var reverseShell = TestData.Sample("reverse-shell.notification.json");
        await PubSubEmulatorFixture.PublishAsync(pubsub, topic, reverseShell);
        await PubSubEmulatorFixture.PublishAsync(pubsub, topic, reverseShell);
        await PubSubEmulatorFixture.PublishAsync(pubsub, topic, TestData.Sample("other-category.notification.json"));
        await PubSubEmulatorFixture.PublishAsync(pubsub, topic, Encoding.UTF8.GetBytes("this is not a notification"));

        await PubSubEmulatorFixture.WaitUntilAsync(() => statuses.Count >= 4 && Count("index") == 1 && Count("quarantine") == 1);

        // Nothing more arrives: every delivery was acknowledged, none is redelivered or duplicated.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(4, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(1, Count("bundles"));
        Assert.Equal(1, Count("index"));
        Assert.Equal(1, Count("quarantine"));
        var entry = JsonDocument.Parse(File.ReadAllBytes(Directory.GetFiles(Path.Combine(_evidence.Path, "index"), "*.json", SearchOption.AllDirectories).Single())).RootElement;
        Assert.All(entry.GetProperty("summary").GetProperty("collectors").EnumerateArray(), c => Assert.Equal("ok", c.GetProperty("status").GetString()));
    }

    private int Count(string prefix)
    {
        var directory = Path.Combine(_evidence.Path, prefix);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.'))
            : 0;
    }
}
