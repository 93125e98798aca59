using System.Diagnostics;
using System.Globalization;

namespace ReverseShellFunction.Benchmarks;

/// <summary>What every scenario needs: the mode, the builds to start, a scratch folder, one HTTP client.</summary>
internal sealed class BenchContext : IDisposable
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public required bool Smoke { get; init; }

    public required string RepositoryRoot { get; init; }

    /// <summary>The Release build of the function: <c>function/ReverseShellFunction/bin/Release/net10.0/ReverseShellFunction.dll</c>.</summary>
    public required string FunctionDll { get; init; }

    public required string BareDll { get; init; }

    public required string SamplePath { get; init; }

    /// <summary>Scratch space: server logs, published variants, evidence folders. Not deleted, so logs can be read.</summary>
    public required string WorkDirectory { get; init; }

    public bool SkipVariants { get; init; }

    /// <summary>Extra variables for every function process (<c>--env NAME=VALUE</c>), for experiments such as GC settings.</summary>
    public IReadOnlyDictionary<string, string> FunctionEnvironment { get; init; } = new Dictionary<string, string>();

    public HttpClient Http { get; } = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>A published apphost to run as the function instead of the Release dll (<c>--function-exe PATH</c>).</summary>
    public string? FunctionExecutable { get; init; }

    public Launch Function => FunctionExecutable is { } exe
        ? Launch.Native("function", exe) with { Environment = FunctionEnvironment }
        : Launch.Function("function", FunctionDll, FunctionEnvironment);

    /// <summary>A published apphost of the bare app (<c>--bare-exe PATH</c>), paired with <see cref="FunctionExecutable"/> in the cold-start scenario.</summary>
    public string? BareExecutable { get; init; }

    public Launch Bare => Launch.Bare("bare ASP.NET Core app", BareDll);

    public string LogPath(string name) => Path.Combine(WorkDirectory, name + ".log");

    public void Progress(string message) =>
        Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(_started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6} s] {message}");

    public void Dispose() => Http.Dispose();
}
