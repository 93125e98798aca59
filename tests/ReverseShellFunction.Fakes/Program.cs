using System.Globalization;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Fakes;

/// <summary>
/// Runs the fakes on their own for a local demo: Cloud Storage on one port, SCC, Cloud Run, Logging, KMS, Cloud
/// Tasks and the metadata server on another, and prints the exports that point the function at them. A named
/// class rather than top-level statements, so it does not clash with the function's <c>Program</c> in the test
/// project.
/// </summary>
public static class FakesProgram
{
    public static async Task<int> Main(string[] args)
    {
        var storagePort = Port(args, "--storage-port", 4443);
        var apisPort = Port(args, "--apis-port", 8091);
        if (storagePort < 0 || apisPort < 0)
        {
            await Console.Error.WriteLineAsync("usage: ReverseShellFunction.Fakes [--storage-port N] [--apis-port N]");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // One Cloud Tasks queue whose tasks reach a function served on its default port, as `serve` does.
        const string queue = "projects/sec-tools-2231/locations/europe-west1/queues/evidence-completions";
        var options = new FakeGoogleApisOptions { Port = apisPort, TaskQueues = [new FakeTaskQueueSettings { Name = queue }] };
        await using var apis = await FakeGoogleApis.StartAsync(options, stop.Token);
        Console.WriteLine($"Fake SCC v2, Cloud Run v2, Logging v2, KMS, Cloud Tasks v2 and metadata server at {apis.BaseUri}");
        foreach (var (name, value) in apis.EnvironmentVariables)
        {
            Console.WriteLine($"  export {name}={value}");
        }

        Console.WriteLine($"  export COMPLETION_QUEUE={queue}");
        Console.WriteLine("  export COMPLETION_URL=http://127.0.0.1:8080/completions");
        Console.WriteLine("  export COMPLETION_SERVICE_ACCOUNT=evidence-delivery@sec-tools-2231.iam.gserviceaccount.com");

        // Runs until Ctrl+C; the Google API fake stops with it when this scope ends.
        await FakeStorageServer.RunAsync(storagePort, Console.Out, stop.Token);
        return 0;
    }

    private static int Port(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return fallback;
        }

        return index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : -1;
    }
}
