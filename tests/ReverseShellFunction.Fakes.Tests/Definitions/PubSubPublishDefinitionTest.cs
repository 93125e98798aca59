using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.Definitions;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.PubSub;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Fakes.Tests.Definitions;

/// <summary>
/// Pub/Sub is not faked (the end-to-end tests publish to Google's emulator), so the notifier's publish request is
/// held here against Pub/Sub v1's definition, as the fakes hold every other adapter's requests.
/// </summary>
public sealed class PubSubPublishDefinitionTest
{
    [Fact]
    public async Task The_notifier_s_publish_is_what_topics_publish_defines()
    {
        using var capture = new CapturingHandler();
        using var http = new HttpClient(capture);
        var client = new GoogleApiClient(http, new FixedTokenSource("t"), new RecordedDelays().Policy(TimeSpan.FromSeconds(5)), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var notifier = new PubSubNotifier(client, "https://pubsub.googleapis.com", "projects/shop-sec-1/topics/evidence-stored", NullLogger<PubSubNotifier>.Instance);

        await notifier.NotifyAsync(
            new BundleNotification
            {
                BundleId = "20261128T211407482Z-5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b-3a051286c728fe91",
                Completeness = "complete",
                CollectorsOk = 5,
                Collectors = 5,
                ObjectUri = "gs://evidence/bundles/x.zip",
                IndexUri = "gs://evidence/index/x.json",
                Sha256 = new string('a', 64),
                Size = 1234,
                Headline = "CRITICAL Reverse Shell on service checkout-api",
                Severity = "CRITICAL",
                FindingName = "organizations/1/sources/2/locations/global/findings/3",
                EventTime = DateTimeOffset.Parse("2026-11-28T21:14:07Z", System.Globalization.CultureInfo.InvariantCulture),
            },
            CancellationToken.None);

        var (method, uri, body) = Assert.Single(capture.Requests);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(uri.Query);
        var conformance = new ApiConformance();

        Assert.Empty(conformance.CheckRequest(context, ApiDefinition.PubSub, uri.AbsolutePath, body));
        Assert.Equal("pubsub.projects.topics.publish", ApiDefinition.PubSub.Find(method, uri.AbsolutePath)!.Id);
    }

    [Fact]
    public void A_publish_with_a_number_for_an_attribute_is_refused()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";

        var problems = new ApiConformance().CheckRequest(context, ApiDefinition.PubSub, "/v1/projects/shop-sec-1/topics/evidence-stored:publish", """{"messages":[{"data":"e30=","attributes":{"part":2}}]}""");

        Assert.Contains(problems, p => p.Contains("PublishRequest.messages[0].attributes[\"part\"] must be a JSON string", StringComparison.Ordinal));
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public List<(string Method, Uri Uri, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method.Method, request.RequestUri!, body));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(new JsonObject { ["messageIds"] = new JsonArray("1") }.ToJsonString(), Encoding.UTF8, "application/json") };
        }
    }
}
