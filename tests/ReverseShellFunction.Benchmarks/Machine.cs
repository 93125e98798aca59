using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Benchmarks;

/// <summary>The machine the numbers were measured on, as the report states it.</summary>
internal sealed partial record Machine(
    string Nproc,
    string FreeH,
    string CpuModel,
    string Kernel,
    string DotnetRuntime,
    string DotnetSdk,
    string Commit,
    string LoadAverageAtStart)
{
    public string LoadAverageAtEnd { get; set; } = "";

    public static async Task<Machine> DescribeAsync(string repositoryRoot)
    {
        var info = await OutputAsync("dotnet", ["--info"], repositoryRoot);
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : "unknown";
        var commit = (await OutputAsync("git", ["rev-parse", "--short", "HEAD"], repositoryRoot)).Trim();
        var dirty = (await OutputAsync("git", ["status", "--porcelain", "--untracked-files=no"], repositoryRoot)).Trim().Length > 0;
        return new Machine(
            (await OutputAsync("nproc", [], repositoryRoot)).Trim(),
            (await OutputAsync("free", ["-h"], repositoryRoot)).TrimEnd(),
            cpu,
            (await OutputAsync("uname", ["-sr"], repositoryRoot)).Trim(),
            HostVersion().Match(info) is { Success: true } host ? host.Groups[1].Value : "unknown",
            SdkVersion().Match(info) is { Success: true } sdk ? sdk.Groups[1].Value : "unknown",
            dirty ? commit + " (with uncommitted changes)" : commit,
            LoadAverage());
    }

    /// <summary>The 1, 5 and 15 minute load averages: the machine is shared, so they say how busy it was.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task<string> OutputAsync(string file, string[] arguments, string directory)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return output;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return string.Create(CultureInfo.InvariantCulture, $"({file}: {ex.Message})");
        }
    }

    [GeneratedRegex(@"Host:\s*\n\s*Version:\s*(\S+)")]
    private static partial Regex HostVersion();

    [GeneratedRegex(@"\.NET SDK:\s*\n\s*Version:\s*(\S+)")]
    private static partial Regex SdkVersion();
}
