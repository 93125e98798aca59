using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Run;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Infrastructure.Run;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.Collect;

[Collection(ProcessEnvironmentTests.Name)]
public sealed class ApplicationDefaultTokenSourceTest
{
    private readonly ITestOutputHelper _output;

    public ApplicationDefaultTokenSourceTest(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task NothingInTheEnvironment_NoCredentials_AtOnce_WithoutAProbe()
    {
        var probed = new List<string>();
        var environment = new CredentialEnvironment(_ => null, path => { probed.Add(path); return false; }, path => { probed.Add(path); return null; });
        var source = new ApplicationDefaultTokenSource(environment, NullLogger<ApplicationDefaultTokenSource>.Instance);
        var clock = Stopwatch.StartNew();

        Assert.False(await source.HasCredentialsAsync(CancellationToken.None));
        Assert.False(await source.HasCredentialsAsync(CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(["/sys/class/dmi/id/product_name"], probed);
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAccessTokenAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(false, "Warning")]
    [InlineData(true, "Information")]
    public async Task NoCredentials_OneLineNamingWhatIsNotCollected_AWarningOnlyForTheServer(bool command, string level)
    {
        var logger = new ListLogger<ApplicationDefaultTokenSource>();
        var environment = new CredentialEnvironment(_ => null, _ => false, _ => null);
        var source = command
            ? new ApplicationDefaultTokenSource(environment, logger, MissingCredentialsNotice.Information)
            : new ApplicationDefaultTokenSource(environment, logger);

        Assert.False(await source.HasCredentialsAsync(CancellationToken.None));
        Assert.False(await source.HasCredentialsAsync(CancellationToken.None));

        var line = Assert.Single(logger.Messages);
        Assert.Equal(
            $"{level}: No Google credentials here (no GOOGLE_APPLICATION_CREDENTIALS, gcloud application-default login or metadata server): "
            + "scc-finding, related-findings, cloud-run, container-logs, audit-logs are not collected; the notification itself is stored ",
            line);
    }

    [Theory]
    [InlineData("GOOGLE_APPLICATION_CREDENTIALS", "/keys/sa.json", "credentials file named by GOOGLE_APPLICATION_CREDENTIALS (/keys/sa.json)")]
    [InlineData("GCE_METADATA_HOST", "127.0.0.1:9", "metadata server at GCE_METADATA_HOST (127.0.0.1:9)")]
    [InlineData("K_SERVICE", "reverse-shell-evidence", "Cloud Run metadata server")]
    [InlineData("CLOUD_RUN_JOB", "export", "Cloud Run metadata server")]
    public void EachSource_IsRecognisedLocally(string variable, string value, string expected)
    {
        var environment = new CredentialEnvironment(name => name == variable ? value : null, _ => false, _ => null);

        Assert.Equal(expected, environment.DescribeSource());
    }

    [Fact]
    public void GcloudLogin_IsRecognisedByItsFile()
    {
        var environment = new CredentialEnvironment(
            name => name == "HOME" ? "/home/dev" : null,
            path => path == "/home/dev/.config/gcloud/application_default_credentials.json",
            _ => null);

        Assert.Equal("gcloud application-default credentials", environment.DescribeSource());
    }

    /// <summary>
    /// The one test of the real library path: no credentials file, so the token comes from the metadata server named
    /// by GCE_METADATA_HOST (with the Metadata-Flavor header the fake insists on), and the fake Cloud Run API accepts it.
    /// </summary>
    [Fact]
    public async Task RealApplicationDefaultCredentials_UseTheMetadataServer_AtGceMetadataHost()
    {
        await using var fake = await FakeGoogleApis.StartAsync();
        using var home = new TempFolder();
        using var environment = new EnvironmentOverride()
            .Set("GCE_METADATA_HOST", fake.MetadataHost)
            .Set("GOOGLE_APPLICATION_CREDENTIALS", null)
            .Set("APPDATA", null)
            .Set("HOME", home.Path);
        var source = new ApplicationDefaultTokenSource(CredentialEnvironment.System, NullLogger<ApplicationDefaultTokenSource>.Instance);
        using var http = new HttpClient();
        var client = new GoogleApiClient(http, source, new RetryPolicy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var collector = new CloudRunCollector(new CloudRunApi(client, fake.BaseUri.ToString().TrimEnd('/')), Defaults.Collection, NullLogger<CloudRunCollector>.Instance);
        using var temp = new TempFolder();
        using var staging = new ReverseShellFunction.Bundle.StagingDirectory(temp.Path);

        var report = await collector.CollectAsync(CollectorHarness.SampleContext(), staging, CancellationToken.None);

        foreach (var request in fake.Requests)
        {
            _output.WriteLine($"{request.Api} {request.Method} {request.Path}{request.Query} -> {request.StatusCode} (Metadata-Flavor: {request.Headers.GetValueOrDefault("Metadata-Flavor")})");
        }

        Assert.Equal(CollectorStatus.Ok, report.Status);
        Assert.Equal(fake.AccessToken, await source.GetAccessTokenAsync(CancellationToken.None));
        // No detection ping (GET /): the library keeps a failed one for the life of the process. A scoped token only.
        Assert.DoesNotContain(fake.Requests, r => r.Api == FakeApi.Metadata && r.Path == "/");
        Assert.Contains(fake.Requests, r => r.Api == FakeApi.Metadata && r.Path == "/computeMetadata/v1/instance/service-accounts/default/token"
            && r.Query == "?scopes=https://www.googleapis.com/auth/cloud-platform" && r.StatusCode == 200);
        Assert.All(fake.Requests.Where(r => r.Api == FakeApi.Run), r => Assert.True(r.Authorized));
    }
}
