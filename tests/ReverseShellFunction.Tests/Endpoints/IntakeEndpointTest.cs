using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Endpoints;

/// <summary>The HTTP contract, through the real app on Kestrel (127.0.0.1), with the store swapped.</summary>
public sealed class IntakeEndpointTest : IDisposable
{
    private static readonly byte[] s_pushBody = TestData.Sample("reverse-shell.pubsub-push.json");
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task BinaryModeCloudEvent_IsStored()
    {
        await using var host = await Host(new LocalEvidenceStore(_folder.Path));
        using var request = new HttpRequestMessage(HttpMethod.Post, "") { Content = Json(s_pushBody) };
        foreach (var (name, value) in RawDeliveries.Binary(s_pushBody).Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.Ordinal)))
        {
            request.Headers.Add(name, value);
        }

        var (status, body) = await SendAsync(host.Client, request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("stored", body.GetProperty("outcome").GetString());
        Assert.Single(Directory.GetFiles(Path.Combine(_folder.Path, "bundles"), "*.zip", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StructuredModeCloudEvent_IsStored_ThenRedeliveryIsAlreadyStored()
    {
        await using var host = await Host(new LocalEvidenceStore(_folder.Path));
        var structured = RawDeliveries.Structured(s_pushBody);

        var (first, firstBody) = await SendAsync(host.Client, Post(structured.Body.ToArray(), "application/cloudevents+json"));
        var (second, secondBody) = await SendAsync(host.Client, Post(structured.Body.ToArray(), "application/cloudevents+json"));

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal("stored", firstBody.GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal("already-stored", secondBody.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task PlainPubSubPush_IsStored()
    {
        await using var host = await Host(new LocalEvidenceStore(_folder.Path));

        var (status, body) = await SendAsync(host.Client, Post(s_pushBody, "application/json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("stored", body.GetProperty("outcome").GetString());
        Assert.StartsWith("index/2026/11/28/20261128T211407482Z-", body.GetProperty("objectName").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherCategory_Is200Ignored()
    {
        await using var host = await Host(new LocalEvidenceStore(_folder.Path));

        var (status, body) = await SendAsync(host.Client, Post(Notifications.PushBody(TestData.Sample("other-category.notification.json")), "application/json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ignored", body.GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"message\":{\"data\":\"@@@\"}}")]
    [InlineData("{\"message\":{\"data\":\"aGVsbG8=\"}}")]
    public async Task CorruptBody_Is200Quarantined(string body)
    {
        await using var host = await Host(new LocalEvidenceStore(_folder.Path));

        var (status, result) = await SendAsync(host.Client, Post(Encoding.UTF8.GetBytes(body), "application/json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("quarantined", result.GetProperty("outcome").GetString());
        Assert.True(File.Exists(Path.Combine(_folder.Path, result.GetProperty("objectName").GetString()!)));
    }

    [Fact]
    public async Task StoreFailure_Is503_SoThePlatformRetries()
    {
        await using var host = await Host(new FailingStore());

        var (status, _) = await SendAsync(host.Client, Post(s_pushBody, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
    }

    [Fact]
    public async Task QuarantineFailure_Is503_NothingIsLost()
    {
        await using var host = await Host(new FailingStore());

        var (status, _) = await SendAsync(host.Client, Post(Encoding.UTF8.GetBytes("garbage"), "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
    }

    [Fact]
    public async Task Readiness_Answers200()
    {
        await using var host = await Host(new LocalEvidenceStore(_folder.Path));

        var response = await host.Client.GetAsync(new Uri("ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // The HTTP contract is under test here, not the collectors: no credentials, no environment of the machine.
    private static Task<FunctionHost> Host(IEvidenceStore store) => FunctionHost.StartAsync(new Dictionary<string, string>(), store);

    private static HttpRequestMessage Post(byte[] body, string contentType) =>
        new(HttpMethod.Post, "") { Content = Json(body, contentType) };

    private static ByteArrayContent Json(byte[] body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static async Task<(HttpStatusCode, JsonElement)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }
}
