using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReverseShellFunction.Collect.Auth;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
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
        var settings = FunctionSettings.From(name => apis.EnvironmentVariables.GetValueOrDefault(name)) with { EvidenceDir = _evidence.Path };
        await using var app = FunctionApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            settings,
            services => services.AddSingleton<IAccessTokenSource>(new FixedTokenSource(apis.AccessToken)));
        var statuses = new ConcurrentBag<int>();
        app.Use(async (context, next) =>
        {
            await next();
            statuses.Add(context.Response.StatusCode);
        });
        await app.StartAsync();
        var functionUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var pubsub = new HttpClient { BaseAddress = _emulator.BaseUri };
        var topic = $"{Project}/topics/findings-{Guid.NewGuid():N}";
        (await pubsub.PutAsJsonAsync($"v1/{topic}", new { })).EnsureSuccessStatusCode();
        (await pubsub.PutAsJsonAsync($"v1/{Project}/subscriptions/push-{Guid.NewGuid():N}", new
        {
            topic,
            pushConfig = new { pushEndpoint = functionUrl + "/" },
            ackDeadlineSeconds = 60,
        })).EnsureSuccessStatusCode();

        var reverseShell = TestData.Sample("reverse-shell.notification.json");
        await PublishAsync(pubsub, topic, reverseShell);
        await PublishAsync(pubsub, topic, reverseShell);
        await PublishAsync(pubsub, topic, TestData.Sample("other-category.notification.json"));
        await PublishAsync(pubsub, topic, Encoding.UTF8.GetBytes("this is not a notification"));

        await WaitUntilAsync(() => statuses.Count >= 4 && Count("index") == 1 && Count("quarantine") == 1);

        // Nothing more arrives: every delivery was acknowledged, none is redelivered or duplicated.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(4, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(1, Count("bundles"));
        Assert.Equal(1, Count("index"));
        Assert.Equal(1, Count("quarantine"));
        var entry = JsonDocument.Parse(File.ReadAllBytes(Directory.GetFiles(Path.Combine(_evidence.Path, "index"), "*.json", SearchOption.AllDirectories).Single())).RootElement;
        Assert.All(entry.GetProperty("summary").GetProperty("collectors").EnumerateArray(), c => Assert.Equal("ok", c.GetProperty("status").GetString()));
        await app.StopAsync();
    }

    private static async Task PublishAsync(HttpClient pubsub, string topic, byte[] data)
    {
        var body = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["data"] = Convert.ToBase64String(data) }) };
        (await pubsub.PostAsJsonAsync($"v1/{topic}:publish", body)).EnsureSuccessStatusCode();
    }

    private int Count(string prefix)
    {
        var directory = Path.Combine(_evidence.Path, prefix);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.'))
            : 0;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}
