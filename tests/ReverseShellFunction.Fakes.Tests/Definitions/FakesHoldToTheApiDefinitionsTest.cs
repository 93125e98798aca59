using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ReverseShellFunction.Fakes.Definitions;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Fakes.Tests.Definitions;

/// <summary>
/// Each fake refuses a request that its API's published definition does not allow, in Google's error shape, and
/// keeps it so that the test which sent it fails; and the fakes' own answers are held to the response schema.
/// </summary>
public sealed class FakesHoldToTheApiDefinitionsTest
{
    private const string Service = "/v2/projects/shop-prod-4471/locations/europe-west1/services/checkout-api";
    private const string Queue = "projects/sec-tools-2231/locations/europe-west1/queues/evidence-completions";

    public static TheoryData<string, string, string?, string> NotInTheDefinition() => new()
    {
        // SCC v2 has no readTime (v1 had): a v1 habit the v2 API refuses.
        { "GET", "/v2/organizations/123/sources/-/locations/global/findings?pageSize=10&readTime=2026-11-28T21:14:07Z", null, "readTime" },

        // Cloud Run Admin v2 services.get takes no "view".
        { "GET", Service + "?view=FULL", null, "view" },

        // Logging entries.list: resourceNames is a list, not one string.
        { "POST", "/v2/entries:list", """{"resourceNames":"projects/shop-prod-4471","filter":""}""", "resourceNames must be a JSON array" },

        // Cloud Tasks: a Duration is "30s", not prose.
        { "POST", $"/v2/{Queue}/tasks", """{"task":{"dispatchDeadline":"30 seconds","httpRequest":{"url":"https://x.run.app/"}}}""", "Invalid duration format" },

        // Cloud KMS: int64 fields (digestCrc32c) are JSON strings in the proto3 mapping.
        { "POST", $"/v1/{FakeKms.DefaultKeyVersion}:asymmetricSign", """{"digest":{"sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},"digestCrc32c":1234}""", "64-bit integers are JSON strings" },

        // No API of the fake's serves this path at all.
        { "GET", "/v1/projects/shop-prod-4471/topics", null, "No method" },
    };

    [Theory]
    [MemberData(nameof(NotInTheDefinition))]
    public async Task The_Google_APIs_fake_refuses_what_the_definition_does_not_allow(string method, string target, string? body, string problem)
    {
        var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { TaskQueues = [new FakeTaskQueueSettings { Name = Queue, Paused = true }] });
        try
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(fake.BaseUri, target))
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", fake.AccessToken) },
                Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
            };

            using var response = await http.SendAsync(request);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{response.StatusCode}: {answer}");
            Assert.Equal((int)response.StatusCode, answer["error"]!["code"]!.GetValue<int>());
            Assert.Contains(problem, answer["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains(problem, Assert.Single(fake.Conformance.Violations).ToString(), StringComparison.Ordinal);
        }
        finally
        {
            // Not taken: the fake fails the test that sent it when it is disposed.
            var thrown = await Assert.ThrowsAsync<ApiDefinitionViolatedException>(() => fake.DisposeAsync().AsTask());
            Assert.Contains(problem, thrown.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_Cloud_Storage_fake_refuses_what_the_definition_does_not_allow()
    {
        var server = await FakeStorageServer.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = server.Root };

            // objects.list pages with maxResults; pageSize is another API's word.
            using var response = await http.GetAsync(new Uri("storage/v1/b/evidence-test/o?prefix=index%2F&pageSize=10", UriKind.Relative));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("pageSize", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains("pageSize", Assert.Single(server.Conformance.Violations).ToString(), StringComparison.Ordinal);
        }
        finally
        {
            var thrown = await Assert.ThrowsAsync<ApiDefinitionViolatedException>(() => server.DisposeAsync().AsTask());
            Assert.Contains("pageSize", thrown.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_the_definition_allows_is_served_and_nothing_is_kept()
    {
        await using var fake = await FakeGoogleApis.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fake.BaseUri, Service + "?alt=json&prettyPrint=false"))
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", fake.AccessToken) },
        };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(fake.Conformance.Violations);
    }

    [Fact]
    public void An_answer_is_held_to_the_response_schema_and_the_proto3_mapping()
    {
        var conformance = new ApiConformance();
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        var path = $"/v1/{FakeKms.DefaultKeyVersion}:asymmetricSign";
        Assert.Empty(conformance.CheckRequest(context, ApiDefinition.Kms, path, """{"digest":{"sha256":"AAAA"},"digestCrc32c":"1"}"""));

        // false is a default value (left out on the wire), a uint/int64 CRC is a string, and "mode" is no field.
        conformance.CheckAnswer(context, JsonNode.Parse("""{"signature":"AAAA","verifiedDigestCrc32c":false,"signatureCrc32c":7,"mode":"x"}""")!);

        var violation = Assert.Single(conformance.Take());
        Assert.True(violation.ByFake);
        Assert.Equal(3, violation.Problems.Count);
        Assert.Contains(violation.Problems, p => p.Contains("verifiedDigestCrc32c is false", StringComparison.Ordinal));
        Assert.Contains(violation.Problems, p => p.Contains("signatureCrc32c must be a JSON string", StringComparison.Ordinal));
        Assert.Contains(violation.Problems, p => p.Contains("Unknown name \"mode\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("securitycenter.v2")]
    [InlineData("run.v2")]
    [InlineData("logging.v2")]
    [InlineData("cloudtasks.v2")]
    [InlineData("cloudkms.v1")]
    [InlineData("pubsub.v1")]
    [InlineData("storage.v1")]
    public void Every_extract_names_the_revision_it_was_taken_from(string file)
    {
        var definition = ApiDefinition.Load(file);

        Assert.Matches(@"^(\d{8}|gcloud-sdk-\d+\.\d+\.\d+)$", definition.Revision);
        Assert.NotEmpty(definition.Schemas);
    }
}
