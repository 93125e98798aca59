using System.Net;
using System.Net.Http.Headers;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Fakes.Tests.GoogleApis;

/// <summary>The fake insists on what the real services insist on.</summary>
public sealed class FakeGoogleApisTest
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer some-other-token")]
    public async Task ApiWithoutTheIssuedToken_Unauthenticated(string? authorization)
    {
        await using var fake = await FakeGoogleApis.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fake.BaseUri, "/v2/projects/shop-prod-4471/locations/europe-west1/services/checkout-api"));
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"status\":\"UNAUTHENTICATED\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataToken_RequiresTheFlavorHeader()
    {
        await using var fake = await FakeGoogleApis.StartAsync();
        using var http = new HttpClient();
        var uri = new Uri(fake.BaseUri, "/computeMetadata/v1/instance/service-accounts/default/token");

        using var bare = await http.GetAsync(uri);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { { "Metadata-Flavor", "Google" } } };
        using var flavored = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        Assert.Equal(HttpStatusCode.OK, flavored.StatusCode);
        Assert.Contains(fake.AccessToken, await flavored.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"resourceNames\":[\"projects/shop-prod-4471\"],\"filter\":\"timestamp>=\\\"x\",\"orderBy\":\"timestamp asc\"}", "Unterminated string")]
    [InlineData("{\"resourceNames\":[\"projects/shop-prod-4471\"],\"filter\":\"\",\"pageSize\":5000}", "page_size")]
    [InlineData("{\"resourceNames\":[\"projects/shop-prod-4471\"],\"filter\":\"\",\"order_by\":\"timestamp asc\"}", "Unknown name")]
    [InlineData("{\"filter\":\"\"}", "resourceNames")]
    public async Task MalformedEntriesList_InvalidArgument(string body, string message)
    {
        await using var fake = await FakeGoogleApis.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fake.BaseUri, "/v2/entries:list"))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", fake.AccessToken) },
        };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventTimeOption_MovesEveryFixtureTime_AndAdditionalServicesGetTheirOwnDocumentsAndEntries()
    {
        var anchor = new DateTimeOffset(2027, 1, 5, 9, 30, 0, TimeSpan.Zero);
        var shift = anchor - FakeGoogleData.EventTime;
        var plain = new FakeGoogleData(new FakeGoogleApisOptions());
        var moved = new FakeGoogleData(new FakeGoogleApisOptions { EventTime = anchor, AdditionalServices = 2 });

        // The original service's entries, moved by the same amount; the copies are named after their service.
        var original = moved.ContainerEntries.Where(e => Label(e) == FakeGoogleData.Service).ToList();
        Assert.Equal(plain.ContainerEntries.Count(e => Label(e) == FakeGoogleData.Service), original.Count);
        Assert.Equal(Time(plain.ContainerEntries[0]) + shift, Time(original[0]));
        Assert.Equal(Time(plain.AuditEntries[0]) + shift, Time(moved.AuditEntries[0]));
        Assert.Contains(moved.Findings, f => f["finding"]!["eventTime"]!.GetValue<string>() == "2027-01-05T09:30:00.000Z");

        var second = FakeGoogleData.ServiceName(2);
        Assert.Equal("checkout-api-s02", second);
        var copies = moved.ContainerEntries.Where(e => Label(e) == second).ToList();
        Assert.Equal(original.Count, copies.Count);
        Assert.All(copies, e => Assert.StartsWith("s02", e["insertId"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(moved.ContainerEntries.Count, moved.ContainerEntries.Select(e => e["insertId"]!.GetValue<string>()).Distinct().Count());
        Assert.Contains(moved.AuditEntries, e => Label(e) == second);
        Assert.True(moved.Documents.ContainsKey($"projects/{FakeGoogleData.ProjectId}/locations/{FakeGoogleData.Location}/services/{second}"));
        Assert.True(moved.Documents.ContainsKey($"projects/{FakeGoogleData.ProjectId}/locations/{FakeGoogleData.Location}/services/{second}/revisions/checkout-api-s02-00041-kex"));
        Assert.Equal(moved.Findings.Count, moved.Findings.Select(f => f["finding"]!["name"]!.GetValue<string>()).Distinct().Count());

        // Served as any fixture: Cloud Run answers for the copy.
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { AdditionalServices = 1 });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fake.BaseUri, "/v2/projects/shop-prod-4471/locations/europe-west1/services/checkout-api-s01"))
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", fake.AccessToken) },
        };
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("checkout-api-s01-00041-kex", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        static string? Label(System.Text.Json.Nodes.JsonObject entry) => entry["resource"]?["labels"]?["service_name"]?.GetValue<string>();
        static DateTimeOffset Time(System.Text.Json.Nodes.JsonObject entry) =>
            DateTimeOffset.Parse(entry["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
