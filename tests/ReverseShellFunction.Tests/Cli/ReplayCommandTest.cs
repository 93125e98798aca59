using System.CommandLine;
using System.Text.Json;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

public sealed class ReplayCommandTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReplayingThePushSampleTwice_GivesOneBundle_AndTheOtherCategoryNone()
    {
        var (code, output, _) = await RunAsync("replay", "--json", "--dir", _folder.Path,
            TestData.SamplePath("reverse-shell.pubsub-push.json"),
            TestData.SamplePath("reverse-shell.pubsub-push.json"),
            TestData.SamplePath("other-category.notification.json"));

        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["stored", "already-stored", "ignored"], lines.Select(l => l.GetProperty("result").GetProperty("outcome").GetString()));
        Assert.Equal("198.51.100.23:4444", lines[0].GetProperty("result").GetProperty("indexEntry").GetProperty("summary").GetProperty("network").GetProperty("remote").GetString());
        Assert.Single(Directory.GetFiles(Path.Combine(_folder.Path, "bundles"), "*", SearchOption.AllDirectories));
        Assert.Single(Directory.GetFiles(Path.Combine(_folder.Path, "index"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Pipe_IsReplayed_LikeAFile()
    {
        // A named pipe has no length, as /dev/stdin or a process substitution: `cat push.json | rsf replay /dev/stdin`.
        var pipe = Path.Combine(_folder.Path, "push.pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", pipe)!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var writer = Task.Run(async () =>
        {
            await using var stream = new FileStream(pipe, FileMode.Open, FileAccess.Write);
            await stream.WriteAsync(TestData.Sample("reverse-shell.pubsub-push.json"));
        });

        var (code, output, error) = await RunAsync("replay", "--dir", Path.Combine(_folder.Path, "store"), pipe);
        await writer;

        Assert.True(code == ExitCodes.Ok, $"exit {code}: {output} {error}");
        Assert.StartsWith("push.pipe: stored 20261128T211407482Z-", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptFile_IsQuarantined_ExitCode1()
    {
        var corrupt = Path.Combine(_folder.Path, "corrupt.json");
        await File.WriteAllTextAsync(corrupt, "{\"message\": {\"data\": \"%%%\"}}");

        var (code, output, _) = await RunAsync("replay", "--dir", Path.Combine(_folder.Path, "store"), corrupt);

        Assert.Equal(ExitCodes.Problem, code);
        Assert.StartsWith("corrupt.json: quarantined: NotBase64: ", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Single(Directory.GetFiles(Path.Combine(_folder.Path, "store", "quarantine"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StructuredCloudEventFile_IsAccepted()
    {
        var file = Path.Combine(_folder.Path, "event.json");
        await File.WriteAllBytesAsync(file, RawDeliveries.Structured(TestData.Sample("reverse-shell.pubsub-push.json")).Body.ToArray());

        var (code, output, _) = await RunAsync("replay", "--json", "--dir", Path.Combine(_folder.Path, "store"), file);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("\"stored\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutJson_OneReadableLinePerFile_OutcomeIdCompletenessHeadline()
    {
        var (code, output, _) = await RunAsync("replay", "--dir", _folder.Path,
            TestData.SamplePath("reverse-shell.pubsub-push.json"),
            TestData.SamplePath("reverse-shell.pubsub-push.json"),
            TestData.SamplePath("other-category.notification.json"));

        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        // No Google APIs here: SCC could not be asked, so the state says unchecked before the headline.
        Assert.Matches(@"^reverse-shell\.pubsub-push\.json: stored 20261128T211407482Z-5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b-[0-9a-f]{16} \(unchecked; (incomplete|pending) .+\): CRITICAL Reverse Shell on service checkout-api \(project shop-prod-4471, europe-west1\) at 2026-11-28 21:14:07 UTC: /bin/bash → 198\.51\.100\.23:4444$", lines[0]);
        Assert.StartsWith("reverse-shell.pubsub-push.json: already-stored 20261128T211407482Z-", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("other-category.notification.json: ignored: ", lines[2], StringComparison.Ordinal);
    }

    /// <summary>
    /// What <c>gcloud scc findings list ORG --format=json</c> prints: a JSON array of ListFindingsResult objects
    /// (<c>finding</c>, <c>resource</c>, <c>stateChange</c>; SCC's REST reference, ListFindingsResponse). Each becomes
    /// the notification SCC sends (<c>finding</c> and <c>resource</c>) and is stored as such.
    /// </summary>
    [Fact]
    public async Task GcloudFindingsList_EachElementIsReplayedAsItsNotification()
    {
        var sample = System.Text.Json.Nodes.JsonNode.Parse(TestData.Sample("reverse-shell.notification.json"))!;
        var later = sample["finding"]!.DeepClone();
        later["name"] = ((string)later["name"]!).Replace("5f1c8e0a", "7a2d9b1c", StringComparison.Ordinal);
        later["eventTime"] = "2026-11-28T21:20:00.000Z";
        var list = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["finding"] = sample["finding"]!.DeepClone(), ["resource"] = sample["resource"]!.DeepClone(), ["stateChange"] = "UNUSED" },
            new System.Text.Json.Nodes.JsonObject { ["finding"] = later, ["resource"] = sample["resource"]!.DeepClone(), ["stateChange"] = "UNUSED" });
        var file = Path.Combine(_folder.Path, "findings.json");
        await File.WriteAllTextAsync(file, "\n" + list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var store = Path.Combine(_folder.Path, "store");

        var (code, output, error) = await RunAsync("replay", "--dir", store, file);

        Assert.True(code == ExitCodes.Ok, $"exit {code}: {output}{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("findings.json[0]: stored 20261128T211407482Z-5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b-", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("findings.json[1]: stored 20261128T212000000Z-7a2d9b1c2b7d4e6f9a0b1c2d3e4f5a6b-", lines[1], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(store, "quarantine")));

        // The stored notification is SCC's shape: the finding and resource, no stateChange.
        var (_, again, _) = await RunAsync("replay", "--json", "--dir", store, file);
        Assert.All(again.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal("already-stored", JsonDocument.Parse(l).RootElement.GetProperty("result").GetProperty("outcome").GetString()));
        using var zip = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(Path.Combine(store, "bundles"), "*.zip", SearchOption.AllDirectories)[0]);
        using var notification = JsonDocument.Parse(zip.GetEntry("notification.json")!.Open());
        Assert.Equal(["finding", "resource"], notification.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("[{\"finding\":{\"name\":\"x\"}}, {\"notificationConfigName\":\"n\"}]", "element 1 is not a ListFindingsResult")]
    [InlineData("[1, 2]", "element 0 is not a ListFindingsResult")]
    [InlineData("[{\"finding\":", "starts like a JSON array but is not valid JSON")]
    public async Task ArrayThatIsNotAFindingsList_IsAUsageError_NothingStoredOrQuarantined(string content, string expected)
    {
        var file = Path.Combine(_folder.Path, "list.json");
        await File.WriteAllTextAsync(file, content);
        var store = Path.Combine(_folder.Path, "store");

        var (code, output, error) = await RunAsync("replay", "--dir", store, file);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("Nothing was stored or quarantined.", error, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(store) ? Directory.GetFiles(store, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task EmptyFindingsList_SaysSo_ExitCode0()
    {
        var file = Path.Combine(_folder.Path, "none.json");
        await File.WriteAllTextAsync(file, "[]\n");

        var (code, output, _) = await RunAsync("replay", "--dir", Path.Combine(_folder.Path, "store"), file);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("none.json: an empty list of findings; nothing to replay\n", output);
    }

    [Fact]
    public async Task MissingFile_IsUsageError()
    {
        var (code, _, error) = await RunAsync("replay", "--dir", _folder.Path, Path.Combine(_folder.Path, "nope.json"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("No such file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirAndBucketTogether_IsUsageError()
    {
        var (code, _, error) = await RunAsync("replay", "--dir", _folder.Path, "--bucket", "b", TestData.SamplePath("reverse-shell.pubsub-push.json"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--dir or --bucket", error, StringComparison.Ordinal);
    }

    internal static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // An isolated environment: no variable or credential of the machine running the tests reaches the commands.
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null));
        var code = await CommandLineApp.InvokeAsync(root, args, new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
