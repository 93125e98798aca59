using System.Text.Json.Nodes;
using ReverseShellFunction.Collect;

namespace ReverseShellFunction.Tests.Collect;

public sealed class EnvValueRedactorTest
{
    [Fact]
    public void LiteralValue_ReplacedByAMarkerWithItsHmac()
    {
        var document = JsonNode.Parse("""{"containers":[{"env":[{"name":"A","value":"secret"},{"name":"B","valueSource":{"secretKeyRef":{"secret":"s","version":"3"}}}]}]}""");

        var redactions = new EnvValueRedactor("key"u8.ToArray()).Redact(document, "f.json");

        // HMAC-SHA256("key", "secret"), from: printf secret | openssl dgst -sha256 -hmac key
        const string Hmac = "25cf3c44c8f39313e8cbf7c23e22fe8b2ee8b288ee5206b0a6397583a1f7f0ef";
        Assert.Equal([new Redaction("f.json", "$.containers[0].env[0].value", Hmac)], redactions);
        Assert.Equal(
            """{"containers":[{"env":[{"name":"A","value":{"redacted":true,"hmacSha256":"HMAC"}},{"name":"B","valueSource":{"secretKeyRef":{"secret":"s","version":"3"}}}]}]}""".Replace("HMAC", Hmac, StringComparison.Ordinal),
            document!.ToJsonString());
    }

    [Fact]
    public void ValueOutsideAnEnvArray_IsLeftAlone()
    {
        var document = JsonNode.Parse("""{"labels":{"value":"x"},"env":"not-an-array","items":[{"value":"y"}]}""");

        var redactions = new EnvValueRedactor(null).Redact(document, "f.json");

        Assert.Empty(redactions);
        Assert.Equal("""{"labels":{"value":"x"},"env":"not-an-array","items":[{"value":"y"}]}""", document!.ToJsonString());
    }

    [Fact]
    public void EmptyValue_IsRedactedToo_SoTheMarkerNeverSaysWhetherAValueWasSet() =>
        Assert.Single(new EnvValueRedactor(null).Redact(JsonNode.Parse("""{"env":[{"name":"A","value":""}]}"""), "f.json"));
}
