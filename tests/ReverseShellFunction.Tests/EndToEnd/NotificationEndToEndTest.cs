using System.Net.Http.Json;
using System.Text.Json;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.EndToEnd;

/// <summary>
/// NOTIFY_TOPIC through the real Pub/Sub emulator: the finding is pushed to the function by one subscription,
/// and the function publishes one small message per stored bundle to the notification topic, read back with a
/// pull subscription. A redelivery of the same finding stores nothing and sends nothing.
/// </summary>
public sealed class NotificationEndToEndTest : IClassFixture<PubSubEmulatorFixture>, IDisposable
{
    private const string Project = "projects/rsf-e2e";
    private readonly PubSubEmulatorFixture _emulator;
    private readonly TempFolder _evidence = new();

    public NotificationEndToEndTest(PubSubEmulatorFixture emulator) => _emulator = emulator;

    public void Dispose() => _evidence.Dispose();

    [SkippableFact]
    public async Task StoredBundle_PublishesOneNotification_RedeliveryPublishesNone()
    {
        Skip.If(_emulator.Unavailable is not null && !PubSubEmulatorFixture.Required, _emulator.Unavailable);
        Assert.True(_emulator.Unavailable is null, _emulator.Unavailable);
        using var pubsub = new HttpClient { BaseAddress = _emulator.BaseUri };
        var notifyTopic = $"{Project}/topics/evidence-stored-{Guid.NewGuid():N}";
        var notifySubscription = $"{Project}/subscriptions/evidence-stored-{Guid.NewGuid():N}";
        (await pubsub.PutAsJsonAsync($"v1/{notifyTopic}", new { })).EnsureSuccessStatusCode();
        (await pubsub.PutAsJsonAsync($"v1/{notifySubscription}", new { topic = notifyTopic, ackDeadlineSeconds = 30 })).EnsureSuccessStatusCode();

        await using var apis = await FakeGoogleApis.StartAsync();
        var variables = new Dictionary<string, string>(apis.EnvironmentVariables)
        {
            ["NOTIFY_TOPIC"] = notifyTopic,
            ["PUBSUB_API_ENDPOINT"] = _emulator.BaseUri!.ToString(),
            ["EVIDENCE_DIR"] = _evidence.Path,
        };
        await using var function = await FunctionHost.StartAsync(variables, tokens: new FixedTokenSource(apis.AccessToken));
        var statuses = function.Statuses;

        var findings = $"{Project}/topics/findings-{Guid.NewGuid():N}";
        (await pubsub.PutAsJsonAsync($"v1/{findings}", new { })).EnsureSuccessStatusCode();
        (await pubsub.PutAsJsonAsync($"v1/{Project}/subscriptions/push-{Guid.NewGuid():N}", new
        {
            topic = findings,
            pushConfig = new { pushEndpoint = function.Address.ToString() },
            ackDeadlineSeconds = 60,
        })).EnsureSuccessStatusCode();

        var notification = TestData.Sample("reverse-shell.notification.json");
        await PubSubEmulatorFixture.PublishAsync(pubsub, findings, notification);
        var first = await PullAsync(pubsub, notifySubscription, atLeast: 1);

        var message = Assert.Single(first);
        using var data = JsonDocument.Parse(Convert.FromBase64String(message.GetProperty("data").GetString()!));
        var n = data.RootElement;
        var indexFile = Directory.GetFiles(Path.Combine(_evidence.Path, "index"), "*.json", SearchOption.AllDirectories).Single();
        using var entry = JsonDocument.Parse(await File.ReadAllBytesAsync(indexFile));
        var bundleId = entry.RootElement.GetProperty("summary").GetProperty("bundleId").GetString()!;
        Assert.Equal("reverse-shell-evidence/notification/v1", n.GetProperty("schema").GetString());
        Assert.Equal(bundleId, n.GetProperty("bundleId").GetString());
        Assert.Equal("complete", n.GetProperty("completeness").GetString());
        Assert.Equal(5, n.GetProperty("collectorsOk").GetInt32()); // scc-finding, related-findings, cloud-run, container-logs, audit-logs
        Assert.Equal(Path.Combine(_evidence.Path, entry.RootElement.GetProperty("bundle").GetProperty("objectName").GetString()!), n.GetProperty("objectUri").GetString());
        Assert.Equal(entry.RootElement.GetProperty("bundle").GetProperty("sha256").GetString(), n.GetProperty("sha256").GetString());
        Assert.StartsWith("CRITICAL Reverse Shell on service checkout-api (project shop-prod-4471, europe-west1, revision checkout-api-00041-kex)", n.GetProperty("headline").GetString(), StringComparison.Ordinal);
        Assert.Equal("CRITICAL", n.GetProperty("severity").GetString());
        Assert.Equal("shop-prod-4471", n.GetProperty("project").GetString());
        Assert.Equal("checkout-api", n.GetProperty("service").GetString());
        Assert.Equal(bundleId, message.GetProperty("attributes").GetProperty("bundleId").GetString());
        Assert.Equal("complete", message.GetProperty("attributes").GetProperty("completeness").GetString());
        Assert.True(message.GetProperty("data").GetString()!.Length < 4096, "the notification is small");

        // The same finding again: acknowledged as already stored, and nobody is told twice.
        await PubSubEmulatorFixture.PublishAsync(pubsub, findings, notification);
        await PubSubEmulatorFixture.WaitUntilAsync(() => statuses.Count >= 2);
        Assert.Empty(await PullAsync(pubsub, notifySubscription, atLeast: 0));
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Single(Directory.GetFiles(Path.Combine(_evidence.Path, "bundles"), "*.zip", SearchOption.AllDirectories));
    }

    /// <summary>Pulls (and acknowledges) until <paramref name="atLeast"/> messages came, or for 3 s when none are expected.</summary>
    private static async Task<List<JsonElement>> PullAsync(HttpClient pubsub, string subscription, int atLeast)
    {
        var messages = new List<JsonElement>();
        var until = DateTime.UtcNow + (atLeast == 0 ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < until && (atLeast == 0 || messages.Count < atLeast))
        {
            using var answer = await pubsub.PostAsJsonAsync($"v1/{subscription}:pull", new { maxMessages = 10, returnImmediately = true });
            answer.EnsureSuccessStatusCode();
            using var pulled = JsonDocument.Parse(await answer.Content.ReadAsByteArrayAsync());
            if (pulled.RootElement.TryGetProperty("receivedMessages", out var received))
            {
                var ackIds = new List<string>();
                foreach (var r in received.EnumerateArray())
                {
                    messages.Add(r.GetProperty("message").Clone());
                    ackIds.Add(r.GetProperty("ackId").GetString()!);
                }

                if (ackIds.Count > 0)
                {
                    (await pubsub.PostAsJsonAsync($"v1/{subscription}:acknowledge", new { ackIds })).EnsureSuccessStatusCode();
                }
            }

            await Task.Delay(200);
        }

        return messages;
    }
}
