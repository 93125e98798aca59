using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ReverseShellFunction.Benchmarks;

/// <summary>Writes <c>results.md</c> (for people; docs/benchmarks.md links it) and <c>results.json</c> (the same numbers, raw).</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(string directory, Machine machine, string command, bool smoke, DateTimeOffset started, double seconds, IReadOnlyList<ScenarioResult> results)
    {
        Directory.CreateDirectory(directory);
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(smoke ? "# Benchmark results (smoke run: tiny sizes, numbers not meaningful)" : "# Benchmark results");
        md.AppendLine();
        md.AppendLine(inv, $"Written by `{command}` on {started.UtcDateTime.ToString("yyyy-MM-dd HH:mm", inv)} UTC in {seconds.ToString("0", inv)} s, at commit {machine.Commit}. How to read and rerun it: [../benchmarks.md](../benchmarks.md).");
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine(inv, $"- CPU: {machine.CpuModel}, `nproc` = {machine.Nproc}");
        md.AppendLine(inv, $"- Kernel: {machine.Kernel}; .NET runtime (host) {machine.DotnetRuntime}, SDK {machine.DotnetSdk}");
        md.AppendLine(inv, $"- Load average (1, 5, 15 min) at start: {machine.LoadAverageAtStart}; at end: {machine.LoadAverageAtEnd}. The machine is shared with other engineers and agents, so other work may have run during the measurements.");
        md.AppendLine("- `free -h`:");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(machine.FreeH);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("## Summary");
        md.AppendLine();
        md.AppendLine("| Measure | Result | Limit or baseline (same run) | Ratio | Target | Met |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in results.SelectMany(r => r.Rows))
        {
            md.AppendLine(inv, $"| {row.Measure} | {row.Result} | {row.Reference} | {row.Ratio} | {row.Target} | {row.Met} |");
        }

        var errors = results.SelectMany(r => r.Errors.Select(e => $"{r.Name}: {e}")).ToList();
        md.AppendLine();
        md.AppendLine(errors.Count == 0 ? "Errors and lost events: none." : $"Errors and lost events: {errors.Count}.");
        foreach (var error in errors.Take(50))
        {
            md.AppendLine(inv, $"- {error}");
        }

        foreach (var result in results)
        {
            md.AppendLine();
            md.AppendLine(inv, $"## {result.Title}");
            md.AppendLine();
            foreach (var line in result.Details)
            {
                md.AppendLine(line);
            }

            md.AppendLine();
            md.AppendLine(inv, $"(Scenario time {result.Seconds.ToString("0", inv)} s.)");
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), md.ToString());
        var json = new
        {
            command,
            smoke,
            started,
            seconds,
            machine,
            scenarios = results.Select(r => new { r.Name, r.Title, r.Seconds, r.Rows, r.Errors, r.Data }),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(json, s_json) + "\n");
    }
}
