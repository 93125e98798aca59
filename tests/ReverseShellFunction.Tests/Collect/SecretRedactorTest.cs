using System.Diagnostics;
using System.Text.Json.Nodes;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors;

namespace ReverseShellFunction.Tests.Collect;

public sealed class SecretRedactorTest
{
    [Fact]
    public void LiteralValue_ReplacedByAMarkerWithItsHmac()
    {
        var document = JsonNode.Parse("""{"containers":[{"env":[{"name":"A","value":"secret"},{"name":"B","valueSource":{"secretKeyRef":{"secret":"s","version":"3"}}}]}]}""");

        var redactions = new SecretRedactor("key"u8.ToArray()).Redact(document, "f.json");

        // HMAC-SHA256("key", "secret"), from: printf secret | openssl dgst -sha256 -hmac key
        const string Hmac = "25cf3c44c8f39313e8cbf7c23e22fe8b2ee8b288ee5206b0a6397583a1f7f0ef";
        Assert.Equal([new Redaction("f.json", "$.containers[0].env[0].value", Hmac) { Reason = "env-value" }], redactions);
        Assert.Equal(
            """{"containers":[{"env":[{"name":"A","value":{"redacted":true,"reason":"env-value","hmacSha256":"HMAC"}},{"name":"B","valueSource":{"secretKeyRef":{"secret":"s","version":"3"}}}]}]}""".Replace("HMAC", Hmac, StringComparison.Ordinal),
            document!.ToJsonString());
    }

    [Fact]
    public void PlainValueOutsideAnEnvArray_IsLeftAlone()
    {
        var document = JsonNode.Parse("""{"labels":{"value":"x"},"env":"not-an-array","items":[{"value":"y"}],"args":["--port=8080","--verbose","serve"],"annotations":{"run.googleapis.com/ingress":"all"}}""");
        var before = document!.ToJsonString();

        var redactions = new SecretRedactor(null).Redact(document, "f.json");

        Assert.Empty(redactions);
        Assert.Equal(before, document.ToJsonString());
    }

    [Fact]
    public void EmptyValue_IsRedactedToo_SoTheMarkerNeverSaysWhetherAValueWasSet() =>
        Assert.Single(new SecretRedactor(null).Redact(JsonNode.Parse("""{"env":[{"name":"A","value":""}]}"""), "f.json"));

    /// <summary>The secrets a deployer (or an attacker who deployed) can put in a Cloud Run container outside env.</summary>
    [Fact]
    public void ArgsCommandAndProbeHeaders_SecretsRemovedByNameAndShape_FlagsHeaderNamesAndCommandsKept()
    {
        const string Jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdHRhY2tlciJ9.c2lnbmF0dXJlLXBsYW50ZWQ";
        var document = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["command"] = new JsonArray("/bin/sh", "-c", "curl -H 'Authorization: Bearer planted-bearer-0001' https://deploy:planted-url-pw@repo.example/x"),
                ["args"] = new JsonArray(
                    "--db-password=planted-pw-0002",
                    "--api-token",
                    "planted-token-0003",
                    "--key-file=/etc/keys/service.pem",
                    "AWS_SECRET_ACCESS_KEY=planted-aws-secret-0004",
                    "--id-token=" + Jwt,
                    "--aws=AKIAABCDEFGHIJKLMNOP",
                    "--maps=AIzaSyA-planted-google-api-key-00000005",
                    "-----BEGIN RSA PRIVATE KEY-----\nplanted-private-key-0006\n-----END RSA PRIVATE KEY-----",
                    "--port=8080"),
                ["startupProbe"] = new JsonObject
                {
                    ["httpGet"] = new JsonObject
                    {
                        ["path"] = "/healthz",
                        ["httpHeaders"] = new JsonArray(
                            new JsonObject { ["name"] = "X-Api-Key", ["value"] = "planted-header-0007" },
                            new JsonObject { ["name"] = "X-Probe", ["value"] = "plain" },
                            new JsonObject { ["name"] = "X-Custom", ["value"] = "token ya29.planted-oauth-token-0008" }),
                    },
                },
            }),
            ["annotations"] = new JsonObject { ["example.com/deploy-token"] = "planted-annotation-0009", ["run.googleapis.com/ingress"] = "all" },
        };

        var redactions = new SecretRedactor("key"u8.ToArray()).Redact(document, "cloud-run/service.json");

        var text = document.ToJsonString();
        Assert.DoesNotContain("planted", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAABCDEFGHIJKLMNOP", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Jwt, text, StringComparison.Ordinal);
        var container = document["containers"]![0]!;
        var args = container["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.StartsWith("--db-password=[redacted secret-name hmacSha256=", args[0], StringComparison.Ordinal);
        Assert.Equal("--api-token", args[1]);
        Assert.StartsWith("[redacted after-secret-flag hmacSha256=", args[2], StringComparison.Ordinal);
        Assert.Equal("--key-file=/etc/keys/service.pem", args[3]);
        Assert.StartsWith("--id-token=[redacted ", args[5], StringComparison.Ordinal);
        Assert.StartsWith("[redacted private-key ", args[8], StringComparison.Ordinal);
        Assert.Equal("--port=8080", args[9]);
        Assert.StartsWith("curl -H 'Authorization: Bearer [redacted bearer-token ", (string)container["command"]![2]!, StringComparison.Ordinal);
        Assert.Contains("https://deploy:[redacted url-password ", (string)container["command"]![2]!, StringComparison.Ordinal);
        var headers = container["startupProbe"]!["httpGet"]!["httpHeaders"]!;
        Assert.Equal("X-Api-Key", (string?)headers[0]!["name"]);
        Assert.Equal("secret-name", (string?)headers[0]!["value"]!["reason"]);
        Assert.Equal("plain", (string?)headers[1]!["value"]);
        Assert.Equal("all", (string?)document["annotations"]!["run.googleapis.com/ingress"]);

        // Each removed value is listed with the JSON path it was at, the rule that removed it and its fingerprint.
        Assert.Equal(12, redactions.Count);
        Assert.All(redactions, r => Assert.Equal(64, r.ValueHmacSha256!.Length));
        Assert.Contains(redactions, r => r.Location == "$.containers[0].args[2]" && r.Reason == "after-secret-flag");
        Assert.Contains(redactions, r => r.Location == "$.containers[0].startupProbe.httpGet.httpHeaders[0].value" && r.Reason == "secret-name");
        Assert.Contains(redactions, r => r.Location == "$.containers[0].startupProbe.httpGet.httpHeaders[2].value" && r.Reason == "google-oauth-token");
        Assert.Contains(redactions, r => r.Location == "$.containers[0].args[5]" && r.Reason == "jwt");
        Assert.Contains(redactions, r => r.Location == "$.containers[0].args[6]" && r.Reason == "aws-key-id");
        Assert.Contains(redactions, r => r.Location == "$.containers[0].args[7]" && r.Reason == "google-api-key");
        Assert.Contains(redactions, r => r.Location == "$.annotations.example.com/deploy-token" && r.Reason == "secret-name");
    }

    [Fact]
    public void SameSecret_SameFingerprint_WhereverItIs_SoAResponderCanMatchIt()
    {
        var document = JsonNode.Parse("""{"env":[{"name":"P","value":"hunter2-long"}],"args":["--password=hunter2-long"]}""");

        var redactions = new SecretRedactor("key"u8.ToArray()).Redact(document, "f.json");

        Assert.Equal(2, redactions.Count);
        Assert.Single(redactions.Select(r => r.ValueHmacSha256).Distinct());
    }

    [Theory]
    [InlineData("SECRET_NAME", false)]
    [InlineData("secretKeyRef", false)]
    [InlineData("token_url", false)]
    [InlineData("keyspace", false)]
    [InlineData("author", false)]
    [InlineData("LOG_LEVEL", false)]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("dbpassword", true)]
    [InlineData("clientSecret", true)]
    [InlineData("x-api-key", true)]
    [InlineData("Authorization", true)]
    [InlineData("AUTH", true)]
    [InlineData("github_token", true)]
    public void SecretNames_ByWords_NotBySubstringOfShortWords(string name, bool secret) => Assert.Equal(secret, SecretText.IsSecretName(name));

    /// <summary>Hostile strings: the matchers run without backtracking, so none of these takes long or throws.</summary>
    [Fact]
    public void HostileStrings_LinearTime_NoThrow_NothingSecretLeft()
    {
        var hostile = new[]
        {
            string.Concat(Enumerable.Repeat("password=", 50_000)),
            string.Concat(Enumerable.Repeat("eyJ", 100_000)) + ".",
            "https://" + new string(':', 200_000) + "@",
            "-----BEGIN PRIVATE KEY-----" + new string('A', 300_000),
            string.Concat(Enumerable.Repeat("Bearer ", 40_000)),
            "\ud800--password=\udc00lone-surrogates\u202e",
            string.Concat(Enumerable.Range(0, 5_000).Select(i => $"--token=t{i:D8} ")),
        };
        var document = new JsonObject { ["args"] = new JsonArray([.. hostile.Select(h => (JsonNode)JsonValue.Create(h)!)]) };

        var watch = Stopwatch.StartNew();
        var redactions = new SecretRedactor("key"u8.ToArray()).Redact(document, "f.json");
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        var args = document["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.StartsWith("[redacted private-key ", args[3], StringComparison.Ordinal);
        Assert.DoesNotContain("lone-surrogates", args[5], StringComparison.Ordinal);

        // A string holding thousands of secrets is one redaction, not thousands of manifest lines.
        Assert.StartsWith("[redacted many-secrets ", args[6], StringComparison.Ordinal);
        Assert.True(redactions.Count < 100, $"{redactions.Count} redactions");
    }

    [Fact]
    public void OddShapes_NonStringValuesNullsAndDeepNesting_AreWalkedWithoutThrowing()
    {
        var document = JsonNode.Parse("""{"args":[null,1,true,{"password":"p"},["--token","nested-planted"]],"env":[null,{"name":null,"value":5},{"value":"orphan-planted"}],"httpHeaders":[{"name":7,"value":"v"}]}""");

        var redactions = new SecretRedactor(null).Redact(document, "f.json");

        var text = document!.ToJsonString();
        Assert.DoesNotContain("orphan-planted", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nested-planted", text, StringComparison.Ordinal);
        Assert.Contains("\"value\":5", text, StringComparison.Ordinal);
        Assert.All(redactions, r => Assert.Null(r.ValueHmacSha256));
    }
}
