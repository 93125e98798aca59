using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// Issue 23: every --json output (replay, list, show, verify) is safe to print: a finding whose text carries
/// control, format and bidi characters comes out with each as \uXXXX, still valid JSON with the same values.
/// </summary>
public sealed class JsonOutputSafetyTest : IDisposable
{
    private const string Hostile = "echo \u202Egnp.exe\u202C \u2028line\u2029 next\u0085 \u200F\u2066x\u2069 \u061C\u00AD \u001b[31mred";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Hostile_finding_text_reaches_no_json_output_raw()
    {
        var notification = Path.Combine(_folder.Path, "hostile.notification.json");
        await File.WriteAllBytesAsync(notification, new SampleEvent { Args = ["sh", "-c", Hostile] }.ToNotification());
        var store = Path.Combine(_folder.Path, "evidence");

        var replay = await RunAsync("replay", "--json", "--dir", store, notification);
        Assert.True(replay.Code == ExitCodes.Ok, replay.Output + replay.Error);
        var id = JsonDocument.Parse(replay.Output).RootElement.GetProperty("result").GetProperty("bundleId").GetString()!;
        var outputs = new Dictionary<string, string>
        {
            ["replay"] = replay.Output,
            ["list"] = (await RunAsync("list", "--json", "--dir", store)).Output,
            ["show"] = (await RunAsync("show", id, "--json", "--dir", store)).Output,
            ["verify"] = (await RunAsync("verify", "--all", "--json", "--hashes-only", "--dir", store)).Output,
        };

        foreach (var (command, output) in outputs)
        {
            Assert.False(string.IsNullOrWhiteSpace(output), command);
            var raw = output.Where(c => c is not ('\n' or '\r' or '\t') && char.GetUnicodeCategory(c) is
                UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator).ToList();
            Assert.True(raw.Count == 0, $"{command} --json printed raw U+{(raw.Count > 0 ? ((int)raw[0]).ToString("X4", CultureInfo.InvariantCulture) : "")}");
        }

        // The hostile text was there to escape: as \u escapes, and the same value once parsed.
        Assert.Contains("\\u202e", outputs["replay"], StringComparison.Ordinal);
        Assert.Contains(Strings(JsonDocument.Parse(outputs["replay"]).RootElement), s => s.Contains("\u202Egnp.exe\u202C \u2028line\u2029", StringComparison.Ordinal));
    }

    [Fact]
    public void Safe_escapes_only_what_must_not_reach_a_terminal_and_keeps_the_value()
    {
        var json = JsonOutput.Line(new { text = Hostile, plain = "café ✓ 日本" });
        Assert.DoesNotContain('\u202E', json);
        Assert.Contains("café ✓ 日本", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(Hostile, document.RootElement.GetProperty("text").GetString());
        Assert.Equal("{\n  \"a\": \"\\u2028\"\n}", JsonOutput.Safe("{\n  \"a\": \"\u2028\"\n}"));
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var configuration = new System.CommandLine.InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null));
        var code = await CommandLineApp.InvokeAsync(root, args, configuration, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
