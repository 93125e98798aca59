using System.Net;
using System.Net.Http.Headers;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Tests.Collect;

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
}
