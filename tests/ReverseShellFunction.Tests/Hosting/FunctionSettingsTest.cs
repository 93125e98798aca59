using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Tests.Hosting;

public class FunctionSettingsTest
{
    [Fact]
    public void NoVariables_GiveTheDocumentedDefaults()
    {
        var settings = FunctionSettings.From(_ => null);

        Assert.Equal("./evidence", settings.EvidenceDir);
        Assert.Null(settings.EvidenceBucket);
        Assert.Equal(["Reverse Shell"], settings.Rules.Categories);
        Assert.False(settings.Rules.CollectMuted);
        Assert.Equal(TimeSpan.FromSeconds(45), settings.Collection.Deadline);
        Assert.Equal(500, settings.Collection.RelatedMaxFindings);
        Assert.Null(settings.Collection.RedactionKey);
        Assert.False(settings.CloudLoggingJson);
        Assert.Equal("https://securitycenter.googleapis.com", settings.SccEndpoint);
        Assert.Null(settings.SccEndpointOverride); // Google's hosts by the finding's location
        Assert.Equal(ReverseShellFunction.Collection.SccScope.Project, settings.Collection.SccScope);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.Collection.LogIngestionDelay);
        Assert.False(settings.Collection.LogReadsUseTargetQuota);
        Assert.Equal(8080, settings.Port);
    }

    [Fact]
    public void SccScope_QuotaProject_AndEndpointOverride_AreRead()
    {
        var env = new Dictionary<string, string>
        {
            ["SCC_SCOPE"] = "Organization",
            ["LOGGING_QUOTA_PROJECT"] = "target",
            ["LOG_INGESTION_DELAY_SECONDS"] = "30",
            ["SCC_API_ENDPOINT"] = "http://127.0.0.1:8091/",
        };

        var settings = FunctionSettings.From(env.GetValueOrDefault);

        Assert.Equal(ReverseShellFunction.Collection.SccScope.Organization, settings.Collection.SccScope);
        Assert.True(settings.Collection.LogReadsUseTargetQuota);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Collection.LogIngestionDelay);
        Assert.Equal("http://127.0.0.1:8091", settings.SccEndpointOverride);
    }

    [Theory]
    [InlineData("SCC_SCOPE", "folder", "SCC_SCOPE must be project or organization; it is 'folder'.")]
    [InlineData("LOGGING_QUOTA_PROJECT", "mine", "LOGGING_QUOTA_PROJECT must be caller or target; it is 'mine'.")]
    public void UnknownChoice_StopsTheStartNamingTheVariable(string name, string value, string message) =>
        Assert.Equal(message, Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(n => n == name ? value : null)).Message);

    [Fact]
    public void Port_IsRead()
    {
        Assert.Equal(9090, FunctionSettings.From(n => n == "PORT" ? "9090" : null).Port);
    }

    [Fact]
    public void Variables_AreRead()
    {
        var env = new Dictionary<string, string>
        {
            ["COLLECT_CATEGORIES"] = " Reverse Shell , Unexpected Child Shell ",
            ["COLLECT_MUTED"] = "TRUE",
            ["COLLECTION_DEADLINE_SECONDS"] = "20",
            ["RUN_API_ENDPOINT"] = "http://127.0.0.1:9999/",
            ["K_SERVICE"] = "reverse-shell-evidence",
            ["REDACTION_HMAC_KEY"] = "k",
        };

        var settings = FunctionSettings.From(name => env.GetValueOrDefault(name));

        Assert.Equal(["Reverse Shell", "Unexpected Child Shell"], settings.Rules.Categories);
        Assert.True(settings.Rules.CollectMuted);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.Collection.Deadline);
        Assert.Equal("http://127.0.0.1:9999", settings.RunEndpoint);
        Assert.True(settings.CloudLoggingJson);
        Assert.Equal("k"u8.ToArray(), settings.Collection.RedactionKey);
    }

    [Theory]
    [InlineData("COLLECTION_DEADLINE_SECONDS", "soon")]
    [InlineData("COLLECTION_DEADLINE_SECONDS", "0")]
    [InlineData("LOG_MAX_ENTRIES", "-5")]
    [InlineData("COLLECT_MUTED", "maybe")]
    [InlineData("PORT", "abc")]
    [InlineData("PORT", "99999")]
    [InlineData("PORT", "0")]
    [InlineData("AUDIT_WINDOW_DAYS", "0")]
    [InlineData("RELATED_MAX_FINDINGS", "0")]
    [InlineData("LOG_MAX_BYTES", "10737418241")]
    [InlineData("SCC_API_ENDPOINT", "ftp://example.com")]
    [InlineData("LOGGING_API_ENDPOINT", "not a url")]
    public void BadValue_FailsNamingTheVariable(string name, string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(n => n == name ? value : null));

        Assert.StartsWith(name + " ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
