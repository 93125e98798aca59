using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Tests.Docs;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// <c>list</c> and <c>show</c> in the terminal a responder has: the built executable run under a pseudo-terminal
/// (util-linux <c>script</c>, the size set with <c>stty</c>) at 80 and 100 columns, and with <c>COLUMNS</c> when
/// stdout is not a terminal. No line is longer than the width, no id or hash is split, and the id <c>list</c>
/// prints is accepted by every command that takes an id.
/// </summary>
public sealed partial class TerminalTest : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _temp = new();
    private IReadOnlyList<string> _ids = [];

    private string Store => Path.Combine(_temp.Path, "ev");

    public async Task InitializeAsync() => _ids = await DocStore.FillAsync(Store);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _temp.Dispose();

    [SkippableTheory]
    [InlineData(80)]
    [InlineData(100)]
    public async Task ListAndShow_InAPseudoTerminal_FitItsWidth_AndSplitNoId(int columns)
    {
        Skip.IfNot(File.Exists("/usr/bin/script") && File.Exists("/usr/bin/stty"), "util-linux script is not installed");

        // COLUMNS says 200: the terminal's own width comes first.
        var list = await InTerminalAsync(columns, "list");
        AssertFits(list, columns);
        var rows = list.Split('\n').Where(l => ShortIdAtEnd().IsMatch(l)).ToList();
        Assert.Equal(_ids.Count, rows.Count);
        foreach (var row in rows)
        {
            var shortId = ShortIdAtEnd().Match(row).Value.Trim();
            Assert.Contains(_ids, id => id.EndsWith(shortId, StringComparison.Ordinal));
        }

        var show = await InTerminalAsync(columns, "show", _ids[0][^IndexTable.ShortIdLength..]);
        AssertFits(show, columns);
        Assert.Contains(show.Split('\n'), l => l.Contains(_ids[0], StringComparison.Ordinal));
        // The state line, then the headline (wrapped, so it is found in the first lines), before the long sections.
        var head = string.Join(" ", show.TrimStart().Split('\n').Take(8).Select(l => l.Trim()));
        Assert.StartsWith("State:", show.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("Reverse Shell on service payments-checkout", head, StringComparison.Ordinal);
        Assert.True(show.IndexOf("Reverse Shell on service", StringComparison.Ordinal) < show.IndexOf("Workload", StringComparison.Ordinal), "the headline comes before the long sections");
        Assert.True(show.IndexOf("audit-logs", StringComparison.Ordinal) < show.IndexOf("Workload", StringComparison.Ordinal), "what is wrong comes before the long sections");
        var sha256 = Sha256().Matches(show).Select(m => m.Value).ToList();
        Assert.NotEmpty(sha256);
        Assert.All(sha256, h => Assert.Equal(64, h.Length));
    }

    [Theory]
    [InlineData("80", 80)]
    [InlineData("100", 100)]
    [InlineData("not-a-number", WidthOptions.Default)]
    public async Task WithoutATerminal_Columns_SetsTheWidth(string variable, int expected)
    {
        foreach (var command in new[] { "list", "show" })
        {
            var args = command == "list" ? new[] { "list" } : ["show", _ids[0]];
            var result = await RunAsync(name => name == "COLUMNS" ? variable : null, args);
            Assert.Equal(0, result.ExitCode);
            AssertFits(result.Output + result.Error, expected);
            if (expected < 100)
            {
                // The show text has lines longer than 80 before wrapping: the width was applied, not just met by chance.
                Assert.Contains((result.Output + result.Error).Split('\n'), l => l.Length > expected - 12);
            }
        }
    }

    [Fact]
    public async Task WidthAndWide_Together_AreAUsageError()
    {
        var result = await RunAsync(_ => null, "list", "--wide", "--width", "80");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("not both", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task EveryCommandTakingAnId_AcceptsTheIdListPrints_InAnyCase_AndTheZipPath()
    {
        var list = await RunAsync(_ => null, "list", "--width", "80");
        var printed = list.Output.Split('\n').Select(l => ShortIdAtEnd().Match(l)).Where(m => m.Success).Select(m => m.Value.Trim()).ToList();
        Assert.Equal(_ids.Count, printed.Count);
        foreach (var id in printed)
        {
            foreach (var form in new[] { id, id.ToUpperInvariant() })
            {
                Assert.Equal(0, (await RunAsync(_ => null, "show", form)).ExitCode);
                var verify = await RunAsync(_ => null, "verify", form);
                Assert.True(verify.ExitCode == 0, verify.ToString());
                var get = await RunAsync(_ => null, "get", form, "--out", Path.Combine(_temp.Path, "case-" + Guid.NewGuid().ToString("N")));
                Assert.True(get.ExitCode == 0, get.ToString());
            }
        }

        // A bundle zip, by its store path and renamed (its manifest names the bundle).
        var zip = Directory.GetFiles(Path.Combine(Store, "bundles"), "*.zip", SearchOption.AllDirectories)[0];
        var renamed = Path.Combine(_temp.Path, "evidence-from-the-ticket.zip");
        File.Copy(zip, renamed);
        foreach (var path in new[] { zip, renamed })
        {
            var show = await RunAsync(_ => null, "show", path);
            Assert.True(show.ExitCode == 0, show.ToString());
            Assert.Contains(Path.GetFileNameWithoutExtension(zip), show.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await RunAsync(_ => null, "verify", path)).ExitCode);
        }

        var notAZip = Path.Combine(_temp.Path, "notes.zip");
        await File.WriteAllTextAsync(notAZip, "not a zip");
        Assert.Equal(ExitCodes.Usage, (await RunAsync(_ => null, "show", notAZip)).ExitCode);
        var unknown = await RunAsync(_ => null, "verify", "0123456789AB");
        Assert.Equal(ExitCodes.Problem, unknown.ExitCode);
        Assert.Contains("not found", unknown.Error, StringComparison.Ordinal);
    }

    /// <summary>The built executable under <c>script</c>, its terminal <paramref name="columns"/> wide; what the terminal shows.</summary>
    private async Task<string> InTerminalAsync(int columns, params string[] args)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, "ReverseShellFunction");
        var command = $"stty cols {columns} rows 60; exec {Quote(executable)} {string.Join(" ", args.Select(Quote))} --dir {Quote(Store)}";
        var info = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-qec", command, "/dev/null" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["HOME"] = _temp.Path;
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["TERM"] = "xterm";
        info.Environment["COLUMNS"] = "200";
        info.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await output}{await error}");

        // What the terminal shows: the mode sequences .NET's console writes, and the carriage returns, removed.
        return Escape().Replace(await output, "").Replace("\r", "", StringComparison.Ordinal);
    }

    private async Task<CliResult> RunAsync(Func<string, string?> variables, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(variables));
        var exitCode = await CommandLineApp.InvokeAsync(root, [.. args, "--dir", Store], configuration, CancellationToken.None);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private static void AssertFits(string text, int width)
    {
        var lines = text.Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= width, $"{line.Length} > {width}: {line}"));
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex Escape();

    [GeneratedRegex(@"  [0-9a-f]{12}$")]
    private static partial Regex ShortIdAtEnd();

    [GeneratedRegex(@"(?<![0-9a-f])[0-9a-f]{40,}(?![0-9a-f])")]
    private static partial Regex Sha256();
}
