using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.PubSub;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>
/// Pub/Sub publish is not idempotent: a retry after a lost answer publishes again. Every message of a part carries
/// the same de-duplication attribute, so a subscriber can drop the copies.
/// </summary>
public sealed class PubSubNotifierTest
{
    private const string Topic = "projects/shop-sec-1/topics/evidence-stored";

    [Fact]
    public async Task Every_message_carries_bundle_id_part_and_a_deduplication_key()
    {
        var handler = new PublishRecorder(lose: 0);
        await Notifier(handler).NotifyAsync(Notification(part: 3), CancellationToken.None);

        var attributes = Assert.Single(handler.Attributes);
        Assert.Equal("RSE-TEST-BUNDLE", attributes["bundleId"]);
        Assert.Equal("3", attributes["part"]);
        Assert.Equal("RSE-TEST-BUNDLE/3", attributes[PubSubNotifier.DeduplicationKeyAttribute]);
        Assert.Equal("/v1/" + Topic + ":publish", handler.Paths.Single());
    }

    [Fact]
    public async Task A_publish_whose_answer_was_lost_is_published_again_with_the_same_deduplication_key()
    {
        // Pub/Sub took the first message, but the connection broke before its answer arrived.
        var handler = new PublishRecorder(lose: 1);
        await Notifier(handler).NotifyAsync(Notification(part: 1), CancellationToken.None);

        Assert.Equal(2, handler.Attributes.Count);
        Assert.All(handler.Attributes, a => Assert.Equal("RSE-TEST-BUNDLE/1", a[PubSubNotifier.DeduplicationKeyAttribute]));
    }

    private static PubSubNotifier Notifier(PublishRecorder handler)
    {
        var client = new GoogleApiClient(new HttpClient(handler), new FixedTokenSource("ya29.test"), new RecordedDelays().Policy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        return new PubSubNotifier(client, "https://pubsub.example", Topic, NullLogger<PubSubNotifier>.Instance);
    }

    private static BundleNotification Notification(int part) => new()
    {
        BundleId = "RSE-TEST-BUNDLE",
        Part = part,
        Completeness = "complete",
        Authenticity = "confirmed",
        State = "confirmed; complete",
        CollectorsOk = 5,
        Collectors = 5,
        ObjectUri = "gs://b/bundles/x.zip",
        IndexUri = "gs://b/index/x.json",
        Sha256 = new string('a', 64),
        Size = 1,
        Headline = "CRITICAL Reverse Shell",
        FindingName = "organizations/1/sources/2/locations/global/findings/3",
        EventTime = DateTimeOffset.UnixEpoch,
    };

    /// <summary>Records every publish's attributes; the first <c>lose</c> are accepted but their answers are lost.</summary>
    private sealed class PublishRecorder(int lose) : HttpMessageHandler
    {
        private int _lost;

        public List<Dictionary<string, string>> Attributes { get; } = [];

        public List<string> Paths { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var message = body.RootElement.GetProperty("messages")[0];
            Attributes.Add(message.GetProperty("attributes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
            Paths.Add(request.RequestUri!.AbsolutePath);
            if (_lost++ < lose)
            {
                throw new HttpRequestException("The response ended prematurely.");
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"messageIds\":[\"" + Paths.Count + "\"]}", Encoding.UTF8, "application/json") };
        }
    }
}
