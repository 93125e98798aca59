using System.Diagnostics;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// The README's first command, as a newcomer runs it: the built executable, no cloud account, no variables. What it
/// prints on stderr is the one line the README describes, an <c>info</c>, never a <c>warn</c>.
/// </summary>
public sealed class FirstCommandTest : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ReplayOfTheSample_WithoutAnyCloudAccount_OneInfoLineOnStderr_SayingWhatIsNotCollected()
    {
        // On a Compute Engine VM the metadata server is a credential source: there is then nothing to show here.
        Skip.If(File.Exists("/sys/class/dmi/id/product_name") && File.ReadAllText("/sys/class/dmi/id/product_name").Contains("Google", StringComparison.OrdinalIgnoreCase));

        var (code, output, error) = await RunAsync("replay", TestData.SamplePath("reverse-shell.pubsub-push.json"), "--dir", Path.Combine(_temp.Path, "evidence"));

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.StartsWith("reverse-shell.pubsub-push.json: stored ", output, StringComparison.Ordinal);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(
            @"^\d\d:\d\d:\d\d info ReverseShellFunction\.Infrastructure\.GoogleApis\.Auth\.ApplicationDefaultTokenSource: No Google credentials here \(.+\): "
            + "scc-finding, related-findings, cloud-run, container-logs, audit-logs are not collected; the notification itself is stored$",
            line);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "ReverseShellFunction"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _temp.Path,
        };
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing of the machine running the tests: no credentials file, no gcloud login, no metadata server variable.
        info.Environment.Clear();
        info.Environment["HOME"] = _temp.Path;

        // Its own temporary folder: a writer's startup sweep removes what dead processes left in TMPDIR, and says
        // so in a warning; the machine's /tmp holds other runs' leftovers, a newcomer's fresh one does not.
        info.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(_temp.Path, "tmp")).FullName;
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
