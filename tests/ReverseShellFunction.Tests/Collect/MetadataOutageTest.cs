using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>
/// Transient is transient: the metadata server is not answering for the first seconds of <c>serve</c>, as in a
/// cold start. The delivery made then is stored <c>pending</c> (every collector failed transiently, none skipped),
/// nothing is cached as "no credentials", deliveries after the server answers collect everything, and the pending
/// part is completed by the embedded runner.
/// </summary>
public sealed class MetadataOutageTest : IDisposable
{
    private static readonly TimeSpan s_outage = TimeSpan.FromSeconds(5);
    private readonly TempFolder _evidence = new();

    public void Dispose() => _evidence.Dispose();

    [Fact]
    public async Task MetadataServerDownFor5sOfServe_PartStoredInTheOutageIsPendingThenCompleted_LaterDeliveriesCollectEverything()
    {
        await using var apis = await FakeGoogleApis.StartAsync();
        // Nothing listens on the metadata port until the outage ends: connections are refused, as before a server
        // starts. The port is held (bound, not listening) until then, so no other test can take it meanwhile.
        using var reservation = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        reservation.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var metadataPort = ((IPEndPoint)reservation.LocalEndPoint!).Port;
        var variables = new Dictionary<string, string>(apis.EnvironmentVariables)
        {
            ["EVIDENCE_DIR"] = _evidence.Path,
            ["GCE_METADATA_HOST"] = $"127.0.0.1:{metadataPort}",
        };
        using var tokens = new ApplicationDefaultTokenSource(
            new CredentialEnvironment(name => variables.GetValueOrDefault(name), _ => false, _ => null), NullLogger<ApplicationDefaultTokenSource>.Instance);
        await using var function = await FunctionHost.StartAsync(
            variables,
            tokens: tokens,
            // Short in-delivery retries, so the first delivery ends inside the outage; a short wait before part 2.
            configure: services => services.AddSingleton(new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(200) }),
            adjust: settings => settings with { CompletionTiming = settings.CompletionTiming with { RetryAfter = TimeSpan.FromSeconds(1) } });

        var started = DateTimeOffset.UtcNow;

        // The metadata server starts only after this delivery is answered and 5 s have passed, so it falls in the outage.
        var during = await function.Client.PostAsync("/", Push(Notifications.SampleNotification().Bytes(), "outage-1"));
        Assert.Equal(200, (int)during.StatusCode);

        var first = Single(IndexEntries(), e => Part(e) == 1 && Finding(e).EndsWith("5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", StringComparison.Ordinal));
        Assert.Equal("pending", State(first));
        Assert.All(Collectors(first), c =>
        {
            Assert.NotEqual("skipped", c.Status);
            Assert.Contains("access token", c.Reason, StringComparison.Ordinal);
        });

        var wait = s_outage - (DateTimeOffset.UtcNow - started);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        reservation.Dispose();
        await using var metadata = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { Port = metadataPort, AccessToken = apis.AccessToken });

        var after = await function.Client.PostAsync("/", Push(Notifications.Variant(7, DateTimeOffset.Parse("2026-11-28T21:16:07.000Z", System.Globalization.CultureInfo.InvariantCulture)).Bytes(), "after-1"));
        Assert.Equal(200, (int)after.StatusCode);
        var second = Single(IndexEntries(), e => Finding(e).EndsWith("variant000007", StringComparison.Ordinal));
        Assert.Equal("complete", State(second));
        Assert.All(Collectors(second), c => Assert.True(c.Status == "ok", $"{c.Name}: {c.Status} {c.Reason}"));

        // The embedded runner completes the part the outage left pending.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
        while (!IndexEntries().Any(e => Part(e) == 2) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var completed = Single(IndexEntries(), e => Part(e) == 2);
        Assert.Equal("complete", State(completed));
        Assert.Equal(5, Collectors(completed).Count);
        Assert.All(Collectors(completed), c => Assert.True(c.Status == "ok", $"{c.Name}: {c.Status} {c.Reason}"));
        Assert.Contains(metadata.Requests, r => r.Api == FakeApi.Metadata && r.StatusCode == 200);
    }

    private static ByteArrayContent Push(byte[] notification, string messageId) =>
        new ByteArrayContent(Notifications.PushBody(notification, messageId)) { Headers = { ContentType = new("application/json") } };

    private List<JsonElement> IndexEntries()
    {
        var folder = Path.Combine(_evidence.Path, "index");
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Select(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.Clone())]
            : [];
    }

    private static JsonElement Single(List<JsonElement> entries, Func<JsonElement, bool> match)
    {
        var found = entries.Where(match).ToList();
        Assert.True(found.Count == 1, $"{found.Count} matching index entries of {entries.Count}");
        return found[0];
    }

    private static int Part(JsonElement entry) => entry.TryGetProperty("part", out var part) && part.ValueKind == JsonValueKind.Number ? part.GetInt32() : 1;

    private static string Finding(JsonElement entry) => entry.GetProperty("summary").GetProperty("finding").GetProperty("name").GetString()!;

    private static string State(JsonElement entry) => entry.GetProperty("summary").GetProperty("completion").GetProperty("state").GetString()!;

    private static List<(string Name, string Status, string Reason)> Collectors(JsonElement entry) =>
        [.. entry.GetProperty("summary").GetProperty("collectors").EnumerateArray().Select(c => (
            c.GetProperty("name").GetString()!,
            c.GetProperty("status").GetString()!,
            c.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString()! : ""))];
}
