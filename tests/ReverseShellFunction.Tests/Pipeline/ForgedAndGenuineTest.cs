using System.Net;
using System.Text;
using System.Text.Json;
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
/// A notification with a real finding's name and event time but a harmless process and remote, sent before or
/// after the genuine one, through the function as <c>replay</c> runs it, against the fake SCC: in both orders the bundle ends
/// holding both notifications and SCC's copy, its facts are the genuine ones, and every view says
/// <c>contradicted</c> first.
/// </summary>
public sealed class ForgedAndGenuineTest
{
    [Fact]
    public Task ForgedThenGenuine_TheGenuineDeliveryIsRecorded_AndTheContradictionLeadsEveryView() => RunAsync(forgedFirst: true);

    [Fact]
    public Task GenuineThenForged_TheForgedDeliveryIsRecorded_AndTheContradictionLeadsEveryView() => RunAsync(forgedFirst: false);

    [Fact]
    public async Task NotificationSccDoesNotKnow_SaysNotFoundFirst_InEveryView()
    {
        await using var harness = await PipelineHarness.StartAsync();
        using var temp = new TempFolder();
        var unknown = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(TestData.Sample("reverse-shell.notification.json"))
            .Replace("5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", StringComparison.Ordinal));
        const string State = "State: not-found; complete. SCC holds no finding of this name: the notification may be forged";

        var result = await harness.ReplayNotificationAsync(unknown, "u1");

        Assert.Contains(": stored ", ReplayCommand.HumanLine("unknown.json", result), StringComparison.Ordinal);
        Assert.Contains("(not-found; complete)", ReplayCommand.HumanLine("unknown.json", result), StringComparison.Ordinal);
        var id = BundleId.Parse(result.BundleId!);
        var part = await PipelineHarness.ReadEntriesAsync(harness.Store, id);
        Assert.StartsWith($"**{State}", Encoding.UTF8.GetString(part[SummaryMarkdown.FileName]), StringComparison.Ordinal);
        Assert.Contains($"<main>\n<p id=\"state\" class=\"state attention\">{State}", WebUtility.HtmlDecode(Encoding.UTF8.GetString(part[SummaryHtml.FileName])), StringComparison.Ordinal);
        Assert.StartsWith(State, await CliAsync("show", "--wide", "--dir", harness.Store.Root, id.Value), StringComparison.Ordinal);
        Assert.StartsWith(State, await CliAsync("get", "--dir", harness.Store.Root, id.Value, "--out", Path.Combine(temp.Path, "case")), StringComparison.Ordinal);
        Assert.Contains("! not-found, complete", (await CliAsync("list", "--dir", harness.Store.Root)).Split('\n')[1], StringComparison.Ordinal);
    }

    /// <summary>
    /// The check of a differing notification meets SCC unavailable: its part is stored with that notification
    /// unchecked and pending, the check waits as work for that notification, and the next part checks that one
    /// (not part 1's), so the contradiction is found and the bundle ends complete.
    /// </summary>
    [Fact]
    public async Task DifferingNotification_SccCheckFailsTransiently_TheNextPartChecksThatNotification()
    {
        var clock = new FakeTimeProvider(FakeGoogleData.EventTime.AddDays(1));
        await using var harness = await PipelineHarness.StartAtAsync(clock);
        var first = await harness.ReplayNotificationAsync(TestData.Sample("reverse-shell.notification.json"), "g1");
        Assert.Equal("confirmed; complete", first.IndexEntry!.Summary.State);
        var id = BundleId.Parse(first.BundleId!);

        harness.Fake.Faults.Always(FakeApi.Scc, FakeFault.Unavailable());
        var second = await harness.ReplayNotificationAsync(Forged(), "f1");
        harness.Fake.Faults.Clear();

        Assert.Equal((PipelineOutcome.Stored, 2), (second.Outcome, second.IndexEntry!.Part));
        var pending = second.IndexEntry.Summary;
        Assert.Equal(Completeness.Pending, pending.Completion!.State);
        var work = Assert.Single(pending.Completion.Outstanding);
        Assert.Equal((SccCopy.CollectorName, (int?)2), (work.Collector, work.NotificationPart));
        Assert.Equal([(1, FindingAuthenticity.Confirmed), (2, FindingAuthenticity.Unchecked)], pending.Notifications!.Select(n => (n.Part, n.Authenticity)));

        clock.Advance(TimeSpan.FromMinutes(5));
        var third = await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 3), CancellationToken.None);

        Assert.Equal(CompletionOutcome.Done, third.Outcome);
        var last = third.Stored!.IndexEntry!.Summary;
        Assert.Equal((3, "contradicted (processes, source properties); complete"), (third.Stored.IndexEntry.Part, last.State));
        Assert.Equal([(1, FindingAuthenticity.Confirmed), (2, FindingAuthenticity.Contradicted)], last.Notifications!.Select(n => (n.Part, n.Authenticity)));
        using var check = JsonDocument.Parse((await PipelineHarness.ReadEntriesAsync(harness.Store, id.WithPart(3)))[SccCopy.Path]);
        Assert.Contains("/usr/bin/curl", check.RootElement.GetProperty("differences").EnumerateArray().Single(d => d.GetProperty("field").GetString() == "processes").GetProperty("notification").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The genuine sample with its shell swapped for curl and its remote for 10.0.0.1: what an attacker would send.</summary>
    internal static byte[] Forged() => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(TestData.Sample("reverse-shell.notification.json"))
        .Replace("\"path\": \"/bin/bash\"", "\"path\": \"/usr/bin/curl\"", StringComparison.Ordinal)
        .Replace("\"Reverse_Shell_Stdin_Redirection_Dst_Ip\": \"198.51.100.23\"", "\"Reverse_Shell_Stdin_Redirection_Dst_Ip\": \"10.0.0.1\"", StringComparison.Ordinal));

    private static async Task RunAsync(bool forgedFirst)
    {
        await using var harness = await PipelineHarness.StartAsync();
        using var temp = new TempFolder();
        var store = harness.Store.Root;
        var genuine = TestData.Sample("reverse-shell.notification.json");
        var forged = Forged();
        var (first, second) = forgedFirst ? (forged, genuine) : (genuine, forged);

        // replay's line for each delivery (the function as replay runs it, with the fake SCC and a token).
        var one = ReplayCommand.HumanLine("first.json", await harness.ReplayNotificationAsync(first, "m1"));
        var two = ReplayCommand.HumanLine("second.json", await harness.ReplayNotificationAsync(second, "m2"));
        var again = ReplayCommand.HumanLine("second.json", await harness.ReplayNotificationAsync(second, "m3"));

        // The second, differing notification is stored as part 2 and says contradicted; its redelivery adds nothing.
        Assert.Contains(": stored ", one, StringComparison.Ordinal);
        var expected = forgedFirst ? "(contradicted (processes, source properties); complete)" : "(confirmed; complete)";
        Assert.True(one.Contains(expected, StringComparison.Ordinal), one);
        Assert.Contains(": stored ", two, StringComparison.Ordinal);
        Assert.Contains("(contradicted (processes, source properties); complete)", two, StringComparison.Ordinal);
        Assert.Contains(": already-stored ", again, StringComparison.Ordinal);
        Assert.Contains("(contradicted (processes, source properties); complete)", again, StringComparison.Ordinal);

        var local = harness.Store;
        var (ids, _) = await StoreListing.ListIndexAsync(local, EventTimeRange.All, CancellationToken.None);
        var id = Assert.Single(LogicalBundle.Group(ids)).Bundle;
        var bundle = (await LogicalBundle.ReadAsync(local, id, CancellationToken.None))!;
        Assert.Equal(2, bundle.Parts.Count);

        // The evidence: both notifications verbatim, one per part, and SCC's copy with the genuine process.
        var parts = new[] { await PipelineHarness.ReadEntriesAsync(local, id), await PipelineHarness.ReadEntriesAsync(local, id.WithPart(2)) };
        var (genuinePart, forgedPart) = forgedFirst ? (parts[1], parts[0]) : (parts[0], parts[1]);
        Assert.Equal(genuine, genuinePart[BundleLayout.Entries.Notification]);
        Assert.Equal(forged, forgedPart[BundleLayout.Entries.Notification]);
        using (var check = JsonDocument.Parse(forgedPart[SccCopy.Path]))
        {
            Assert.Equal("contradicted", check.RootElement.GetProperty("authenticity").GetString());
            var differences = check.RootElement.GetProperty("differences").EnumerateArray().ToDictionary(d => d.GetProperty("field").GetString()!, d => d);
            Assert.Equal(["processes", "source properties"], differences.Keys.Order(StringComparer.Ordinal));
            Assert.Contains("/usr/bin/curl", differences["processes"].GetProperty("notification").GetString(), StringComparison.Ordinal);
            Assert.Contains("/bin/bash", differences["processes"].GetProperty("scc").GetString(), StringComparison.Ordinal);
            Assert.Equal("/bin/bash", check.RootElement.GetProperty("finding").GetProperty("processes")[0].GetProperty("binary").GetProperty("path").GetString());
        }

        // The last part's summary is the bundle's word: contradicted, both checks listed, the genuine facts.
        var latest = bundle.Latest.Entry.Summary;
        Assert.Equal((FindingAuthenticity.Contradicted, "contradicted (processes, source properties); complete"), (latest.Authenticity, latest.State));
        Assert.Equal(
            forgedFirst ? [(1, FindingAuthenticity.Contradicted), (2, FindingAuthenticity.Confirmed)] : [(1, FindingAuthenticity.Confirmed), (2, FindingAuthenticity.Contradicted)],
            latest.Notifications!.Select(n => (n.Part, n.Authenticity)));
        Assert.Equal(("/bin/bash", "198.51.100.23:4444"), (latest.Processes[0].BinaryPath, latest.Network.Remote));
        Assert.All(bundle.Parts, p => Assert.Equal("/bin/bash", p.Entry.Summary.Processes[0].BinaryPath));
        Assert.EndsWith("/bin/bash → 198.51.100.23:4444", latest.Headline, StringComparison.Ordinal);

        // First in summary.md and summary.html of the last part.
        var markdown = Encoding.UTF8.GetString(parts[1][SummaryMarkdown.FileName]);
        Assert.StartsWith("**State: contradicted (processes, source properties); complete. SCC's current copy", markdown, StringComparison.Ordinal);
        var html = Encoding.UTF8.GetString(parts[1][SummaryHtml.FileName]);
        var body = html[html.IndexOf("<main>", StringComparison.Ordinal)..];
        Assert.StartsWith("<main>\n<p id=\"state\" class=\"state attention\">State: contradicted (processes, source properties); complete.", body, StringComparison.Ordinal);
        Assert.Contains("<title>[State: contradicted", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/bin/curl", WebUtility.HtmlDecode(body[body.IndexOf("<h1", StringComparison.Ordinal)..body.IndexOf("id=\"timeline\"", StringComparison.Ordinal)]), StringComparison.Ordinal);

        // First in show, get and the list row.
        var show = await CliAsync("show", "--wide", "--dir", store, id.Value);
        Assert.StartsWith("State: contradicted (processes, source properties); complete. SCC's current copy", show, StringComparison.Ordinal);
        Assert.StartsWith("CRITICAL Reverse Shell on service checkout-api (project shop-prod-4471, europe-west1", show.Split('\n')[1], StringComparison.Ordinal);
        Assert.EndsWith("at 2026-11-28 21:14:07 UTC: /bin/bash → 198.51.100.23:4444", show.Split('\n')[1], StringComparison.Ordinal);
        var list = await CliAsync("list", "--dir", store, "--wide");
        Assert.Contains("! contradicted, complete", list.Split('\n')[1], StringComparison.Ordinal);
        var get = await CliAsync("get", "--dir", store, id.Value, "--out", Path.Combine(temp.Path, "case"));
        Assert.StartsWith("State: contradicted (processes, source properties); complete.", get, StringComparison.Ordinal);
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new System.CommandLine.InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        var root = ReverseShellFunction.Cli.CommandLineApp.Create(HostEnvironment.Isolated(_ => null));
        var code = await ReverseShellFunction.Cli.CommandLineApp.InvokeAsync(root, args, configuration, CancellationToken.None);
        Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}\n{output}\n{error}");
        return output.ToString();
    }
}
