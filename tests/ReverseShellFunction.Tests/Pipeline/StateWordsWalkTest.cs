using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Report;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>
/// One bundle walked through three parts (delivery with a window still open, a forged notification for the same
/// event, the completion), and after each part every view read: <c>replay</c>'s line, the <c>list</c> row,
/// <c>show</c>, <c>get</c>, the part's summary.json, summary.md and summary.html, and the notification message
/// all say the same state in the same words, first.
/// </summary>
public sealed class StateWordsWalkTest
{
    private static readonly DateTimeOffset s_event = FakeGoogleData.EventTime;

    [Fact]
    public async Task ThreePartBundle_EveryViewSaysTheSameStateFirst_AndTheLastPartIsTheFinalWord()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var harness = await PipelineHarness.StartAtAsync(clock);
        using var temp = new TempFolder();

        var first = await harness.ReplaySampleAsync();
        var id = BundleId.Parse(first.BundleId!);
        var line = await AssertViewsAsync(harness, temp, id, first, parts: 1);
        Assert.StartsWith("confirmed; pending p2 (due 2026-11-28T21:", line, StringComparison.Ordinal);

        clock.SetUtcNow(s_event.AddMinutes(3));
        var forged = await harness.ReplayNotificationAsync(ForgedAndGenuineTest.Forged(), "forged-1");
        Assert.Equal((PipelineOutcome.Stored, 2), (forged.Outcome, forged.IndexEntry!.Part));
        line = await AssertViewsAsync(harness, temp, id, forged, parts: 2);
        Assert.StartsWith("contradicted (processes, source properties); pending p3 (due 2026-11-28T21:", line, StringComparison.Ordinal);

        clock.SetUtcNow(s_event.AddMinutes(63));
        var third = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 3), CancellationToken.None);
        Assert.Equal(CompletionOutcome.Done, third.Outcome);
        line = await AssertViewsAsync(harness, temp, id, third.Stored!, parts: 3);
        Assert.Equal("contradicted (processes, source properties); complete", line);

        // The final word still carries every collector across parts, and part 1's verdict beside part 2's.
        var last = (await LogicalBundle.ReadAsync(harness.Store, id, CancellationToken.None))!.Latest.Entry.Summary;
        Assert.Equal(
            ["audit-logs", "cloud-run", "container-logs", "related-findings", "scc-finding"],
            last.Collectors.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal(1, last.Collectors.Single(c => c.Name == "cloud-run").Part);
        Assert.Equal([(1, FindingAuthenticity.Confirmed), (2, FindingAuthenticity.Contradicted)], last.Notifications!.Select(n => (n.Part, n.Authenticity)));
    }

    /// <returns>The state line every view was checked against.</returns>
    private static async Task<string> AssertViewsAsync(PipelineHarness harness, TempFolder temp, BundleId id, PipelineResult result, int parts)
    {
        var bundle = (await LogicalBundle.ReadAsync(harness.Store, id, CancellationToken.None))!;
        Assert.Equal(parts, bundle.Parts.Count);
        var latest = bundle.Latest.Entry.Summary;
        var line = StateWords.Line(latest);
        var firstLine = StateWords.FirstLine(latest);

        // Every part's summary.json carries authenticity and the bundle's state as it stood then.
        foreach (var part in bundle.Parts)
        {
            var entries = await PipelineHarness.ReadEntriesAsync(harness.Store, part.Id);
            var stored = EvidenceJson.Deserialize<EvidenceSummary>(entries[EvidenceSummary.FileName]);
            Assert.NotNull(stored.Authenticity);
            Assert.Equal(StateWords.Line(stored), stored.State);
        }

        var newest = await PipelineHarness.ReadEntriesAsync(harness.Store, bundle.Latest.Id);
        Assert.Equal(line, EvidenceJson.Deserialize<EvidenceSummary>(newest[EvidenceSummary.FileName]).State);
        Assert.Equal($"**{SummaryMarkdown.Plain(firstLine)}**", Encoding.UTF8.GetString(newest[SummaryMarkdown.FileName]).Split('\n')[0]);
        var html = Encoding.UTF8.GetString(newest[SummaryHtml.FileName]);
        Assert.Contains($"<main>\n<p id=\"state\" class=\"state attention\">{firstLine}</p>\n<h1", WebUtility.HtmlDecode(html), StringComparison.Ordinal);

        // The message sent to people, replay's line, and the commands a responder runs.
        var message = BundleNotification.For(bundle.Latest.Entry, harness.Store.Location);
        Assert.Equal((line, StateWords.AuthenticityWord(latest.Authenticity)), (message.State, message.Authenticity));
        Assert.Contains($"({line})", ReplayCommand.HumanLine("event.json", result), StringComparison.Ordinal);
        var list = await CliAsync("list", "--dir", harness.Store.Root, "--wide");
        Assert.Contains(StateWords.Cell(latest), list.Split('\n')[1], StringComparison.Ordinal);
        Assert.StartsWith("! ", StateWords.Cell(latest), StringComparison.Ordinal);
        Assert.Equal(firstLine, (await CliAsync("show", "--wide", "--dir", harness.Store.Root, id.Value)).Split('\n')[0]);
        if (bundle.State != Completeness.Pending)
        {
            // get verifies with the real clock, for which a pending bundle of 2026-11-28 is past its give-up time.
            var folder = Path.Combine(temp.Path, $"case-{parts}");
            Assert.Equal(firstLine, (await CliAsync("get", "--dir", harness.Store.Root, id.Value, "--out", folder)).Split('\n')[0]);
        }
        return line;
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new System.CommandLine.InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null));
        var code = await CommandLineApp.InvokeAsync(root, args, configuration, CancellationToken.None);
        Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}\n{output}\n{error}");
        return output.ToString();
    }
}
