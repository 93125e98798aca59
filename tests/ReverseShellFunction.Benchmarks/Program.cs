using System.Diagnostics;
using System.Globalization;
using ReverseShellFunction.Benchmarks.Scenarios;

namespace ReverseShellFunction.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/ReverseShellFunction.Benchmarks -- [--out DIR] [--smoke] [--only a,b] [--skip-variants] [--env NAME=VALUE]... [--function-exe PATH [--bare-exe PATH]]</c>.
/// Exits 1 on errors or lost events (never on a missed target), 2 on bad usage or a missing build.
/// </summary>
public static class BenchmarkProgram
{
    private static readonly string[] s_scenarios = ["latency", "coldstart", "burst", "large-logs", "large-notification", "verify", "verify-speed", "quota", "tasks-burst", "ack-deadline"];

    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var smoke = args.Contains("--smoke");
        // A smoke run leaves out verify-speed unless asked: scenario 5 runs the same commands at smoke sizes, and
        // the smoke run has to stay within its bound on a loaded machine.
        var only = Value(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? (smoke ? [.. s_scenarios.Where(s => s != "verify-speed")] : s_scenarios);
        var unknown = only.FirstOrDefault(o => !s_scenarios.Contains(o));
        if (unknown is not null || args.Contains("--help"))
        {
            await Console.Error.WriteLineAsync($"usage: ReverseShellFunction.Benchmarks [--out DIR] [--smoke] [--only {string.Join(',', s_scenarios)}] [--skip-variants] [--env NAME=VALUE]... [--function-exe PATH [--bare-exe PATH]]");
            if (unknown is not null)
            {
                await Console.Error.WriteLineAsync($"unknown scenario '{unknown}'");
            }

            return unknown is null ? 0 : 2;
        }

        var root = RepositoryRoot();
        var functionDll = Path.Combine(root, "function/ReverseShellFunction/bin/Release/net10.0/ReverseShellFunction.dll");
        var bareDll = Path.Combine(root, "tests/ReverseShellFunction.Benchmarks.BareApp/bin/Release/net10.0/ReverseShellFunction.Benchmarks.BareApp.dll");
        foreach (var dll in new[] { functionDll, bareDll })
        {
            if (!File.Exists(dll))
            {
                await Console.Error.WriteLineAsync($"error: {dll} is missing. Build first: dotnet build -c Release tests/ReverseShellFunction.Benchmarks");
                return 2;
            }
        }

        // Relative to the repository root: `dotnet run --project` starts the program in the project's folder.
        var output = Value(args, "--out") is { } outArg ? Path.GetFullPath(outArg, root)
            : Path.Combine(Path.GetTempPath(), smoke ? "rsf-bench-smoke" : "rsf-bench-results");
        var work = Path.Combine(Path.GetTempPath(), "rsf-bench-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var context = new BenchContext
        {
            Smoke = smoke,
            RepositoryRoot = root,
            FunctionDll = functionDll,
            BareDll = bareDll,
            SamplePath = Path.Combine(root, "samples/reverse-shell.notification.json"),
            WorkDirectory = work,
            SkipVariants = smoke || args.Contains("--skip-variants"),
            FunctionExecutable = Value(args, "--function-exe") is { } exe ? Path.GetFullPath(exe, root) : null,
            BareExecutable = Value(args, "--bare-exe") is { } bareExe ? Path.GetFullPath(bareExe, root) : null,
            FunctionEnvironment = Values(args, "--env").Select(v => v.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
        };
        var machine = await Machine.DescribeAsync(root);
        context.Progress($"{(smoke ? "smoke run" : "benchmarks")}: {string.Join(", ", only)}; logs and scratch files in {work}");

        // A bound on the whole run, so a hung scenario cannot keep the machine busy.
        using var overall = new CancellationTokenSource(smoke ? TimeSpan.FromSeconds(120) : TimeSpan.FromMinutes(45));
        var results = new List<ScenarioResult>();
        foreach (var name in s_scenarios.Where(only.Contains))
        {
            context.Progress($"scenario {name}");
            var scenarioClock = Stopwatch.StartNew();
            ScenarioResult result;
            try
            {
                result = await Run(name, context).WaitAsync(overall.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                result = new ScenarioResult { Name = name, Title = name };
                result.Errors.Add($"the scenario failed: {ex}");
            }

            result.Seconds = scenarioClock.Elapsed.TotalSeconds;
            foreach (var row in result.Rows)
            {
                context.Progress($"  {row.Measure}: {row.Result} vs {row.Reference} = {row.Ratio} (target {row.Target}: {row.Met})");
            }

            foreach (var error in result.Errors.Take(10))
            {
                context.Progress($"  ERROR {error}");
            }

            results.Add(result);
        }

        machine.LoadAverageAtEnd = Machine.LoadAverage();
        var command = "dotnet run -c Release --project tests/ReverseShellFunction.Benchmarks -- " + string.Join(' ', args);
        await Report.WriteAsync(output, machine, command.TrimEnd(), smoke, started, clock.Elapsed.TotalSeconds, results);
        var errors = results.Sum(r => r.Errors.Count);
        context.Progress($"report: {Path.Combine(output, "results.md")}; {errors} error(s)");
        return errors == 0 ? 0 : 1;
    }

    private static Task<ScenarioResult> Run(string name, BenchContext context) => name switch
    {
        "latency" => LatencyScenario.RunAsync(context),
        "coldstart" => ColdStartScenario.RunAsync(context),
        "burst" => BurstScenario.RunAsync(context),
        "large-logs" => LargeLogScenario.RunAsync(context),
        "large-notification" => LargeNotificationScenario.RunAsync(context),
        "verify" => VerifyScenario.RunAsync(context),
        "verify-speed" => VerifySpeedScenario.RunAsync(context),
        "quota" => QuotaScenario.RunAsync(context),
        "tasks-burst" => TasksBurstScenario.RunAsync(context),
        "ack-deadline" => AckDeadlineScenario.RunAsync(context),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such scenario"),
    };

    private static IEnumerable<string> Values(string[] args, string name) =>
        args.Zip(args.Skip(1)).Where(pair => pair.First == name).Select(pair => pair.Second);

    private static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>The folder with ReverseShellFunction.sln, from the working directory or this assembly's location upwards.</summary>
    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ReverseShellFunction.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository: ReverseShellFunction.sln was not found.");
    }
}
