using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>quarantine list and show: every record, read-only, hostile text made visible, ids as list prints them.</summary>
public sealed class QuarantineCommandTest : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => Path.Combine(_folder.Path, "store");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task List_NewestFirst_IdWhenProblemOriginSizeWhy_ThenShowPrintsTheRecord()
    {
        var corrupt = Path.Combine(_folder.Path, "corrupt.json");
        await File.WriteAllTextAsync(corrupt, "{\"message\": {\"data\": \"%%%\"}}");
        Assert.Equal(ExitCodes.Problem, (await ReplayCommandTest.RunAsync("replay", "--dir", Store, corrupt)).Code);
        var hostile = await WriteHostileRecordAsync();
        var before = Files();

        var (code, output, error) = await ReplayCommandTest.RunAsync("quarantine", "list", "--dir", Store, "--width", "80");

        Assert.True(code == ExitCodes.Ok, $"exit {code}: {output}{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));

        // The replay of today first, then the older record.
        Assert.Matches(@"^\d{8}T\d{9}Z-[0-9a-f]{32}-[0-9a-f]{16}$", lines[0]);
        Assert.Matches(@"^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC  NotBase64  replay:corrupt\.json  \d+ bytes$", lines[1]);
        Assert.StartsWith("  ", lines[2], StringComparison.Ordinal);
        Assert.Equal(BundleLayout.QuarantineId(hostile), lines[3]);
        Assert.Matches(@"^  2025-01-02 10:00:00\.123 UTC  NotJson  http  26 bytes$", lines[4]);
        Assert.Equal("  not JSON \\u001b]0;owned\\u0007", lines[5]);
        Assert.Equal($"2 quarantine record(s) in {Path.GetFullPath(Store)}", string.Join(' ', error.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));

        // show takes the id as list prints it, in any case, or the object name.
        var objectName = "quarantine/" + Path.GetRelativePath(Path.Combine(Store, "quarantine"), Directory.GetFiles(Path.Combine(Store, "quarantine"), lines[0] + ".json", SearchOption.AllDirectories).Single()).Replace('\\', '/');
        foreach (var id in new[] { lines[0], lines[0].ToUpperInvariant(), objectName })
        {
            var show = await ReplayCommandTest.RunAsync("quarantine", "show", id, "--dir", Store);
            Assert.True(show.Code == ExitCodes.Ok, $"{id}: exit {show.Code}: {show.Error}");
            Assert.StartsWith($"Quarantine record {lines[0]}\n  Problem:   NotBase64: ", show.Output, StringComparison.Ordinal);
            Assert.Contains("  Origin:    replay:corrupt.json\n", show.Output, StringComparison.Ordinal);
            Assert.Contains("  {\"message\": {\"data\": \"%%%\"}}\n", show.Output, StringComparison.Ordinal);
        }

        Assert.Equal(before, Files());
    }

    [Fact]
    public async Task Show_HostileRecord_EveryTextMadeVisible_HeaderValuesOnlyFromTheAllowlist()
    {
        var name = await WriteHostileRecordAsync();

        var (code, output, error) = await ReplayCommandTest.RunAsync("quarantine", "show", BundleLayout.QuarantineId(name), "--dir", Store, "--wide");

        Assert.True(code == ExitCodes.Ok, $"exit {code}: {error}");
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u202e', output);
        Assert.Contains("  Header:    user-agent: curl\\u001b[31m/8\n", output, StringComparison.Ordinal);
        Assert.Contains("  Not kept:  authorization, x-api-key (names only; values are never stored)\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", output, StringComparison.Ordinal);
        Assert.Contains("  /bin/\\u202eexe.hs\n", output, StringComparison.Ordinal);
        Assert.Contains("  second line\n", output, StringComparison.Ordinal);

        var json = await ReplayCommandTest.RunAsync("quarantine", "show", BundleLayout.QuarantineId(name), "--dir", Store, "--json");
        using var record = JsonDocument.Parse(json.Output);
        Assert.Equal("/bin/\u202eexe.hs\nsecond line", Encoding.UTF8.GetString(Convert.FromBase64String(record.RootElement.GetProperty("bodyBase64").GetString()!)));
        Assert.DoesNotContain('\u202e', json.Output);

        var list = await ReplayCommandTest.RunAsync("quarantine", "list", "--dir", Store, "--json");
        using var line = JsonDocument.Parse(Assert.Single(list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(BundleLayout.QuarantineId(name), line.RootElement.GetProperty("id").GetString());
        Assert.Equal("NotJson", line.RootElement.GetProperty("problem").GetString());
        Assert.False(line.RootElement.TryGetProperty("bodyBase64", out _));
    }

    [Fact]
    public async Task UnknownId_NotFound1_MalformedId_Usage2_DamagedRecord_Warned1_RestListed()
    {
        var name = await WriteHostileRecordAsync();
        var id = BundleLayout.QuarantineId(name);
        var unknown = id[..^1] + (id[^1] == '0' ? '1' : '0');

        Assert.Equal(ExitCodes.Problem, (await ReplayCommandTest.RunAsync("quarantine", "show", unknown, "--dir", Store)).Code);
        var malformed = await ReplayCommandTest.RunAsync("quarantine", "show", "../../etc/passwd", "--dir", Store);
        Assert.Equal(ExitCodes.Usage, malformed.Code);
        Assert.Contains("is not a quarantine record id", malformed.Error, StringComparison.Ordinal);

        var damaged = Path.Combine(Store, "quarantine", "2026", "12", "08", "20261208T000000000Z-" + new string('a', 32) + "-" + new string('b', 16) + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(damaged)!);
        await File.WriteAllTextAsync(damaged, "{not json");
        var list = await ReplayCommandTest.RunAsync("quarantine", "list", "--dir", Store);
        Assert.Equal(ExitCodes.Problem, list.Code);
        Assert.Contains("not a readable quarantine record", list.Error, StringComparison.Ordinal);
        Assert.StartsWith(id + "\n", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyStore_SaysSo()
    {
        Directory.CreateDirectory(Path.Combine(Store, "index"));

        var (code, output, error) = await ReplayCommandTest.RunAsync("quarantine", "list", "--dir", Store);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", output);
        Assert.StartsWith("No quarantine records in ", error, StringComparison.Ordinal);
    }

    /// <summary>A delivery with a hostile body and headers, quarantined by the real writer.</summary>
    private async Task<string> WriteHostileRecordAsync()
    {
        var writer = new QuarantineWriter(new LocalEvidenceStore(Store), NullLogger<QuarantineWriter>.Instance);
        var raw = RawDelivery.FromBytes(
            new Dictionary<string, string>
            {
                ["Content-Type"] = "application/json",
                ["User-Agent"] = "curl\u001b[31m/8",
                ["Authorization"] = "Bearer secret-token",
                ["X-Api-Key"] = "k",
            },
            Encoding.UTF8.GetBytes("/bin/\u202eexe.hs\nsecond line"),
            new DateTimeOffset(2025, 1, 2, 10, 0, 0, 123, TimeSpan.Zero),
            DeliverySource.Http);
        var result = await writer.WriteAsync(raw, DeliveryProblem.NotJson, "not JSON \u001b]0;owned\u0007", CancellationToken.None);
        return result.ObjectName!;
    }

    private List<string> Files() => [.. Directory.GetFiles(Store, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        .Select(f => $"{f} {File.GetLastWriteTimeUtc(f):O} {new FileInfo(f).Length}")];
}
