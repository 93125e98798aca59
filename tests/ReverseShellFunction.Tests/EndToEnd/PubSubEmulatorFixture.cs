using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Tests.EndToEnd;

/// <summary>
/// Starts the real Pub/Sub emulator (<c>gcloud beta emulators pubsub start</c>) on a free loopback port for the
/// end-to-end tests, and stops its whole process tree afterwards. Where gcloud is missing the tests skip,
/// unless REQUIRE_PUBSUB_EMULATOR=1 (set by .ci/run), which turns that into a failure. The default lane does not
/// start it (a JVM's start is most of these tests' time): they run with RSF_FULL_TESTS=1 or REQUIRE_PUBSUB_EMULATOR=1.
/// </summary>
public sealed class PubSubEmulatorFixture : IAsyncLifetime
{
    private Process? _process;

    public Uri? BaseUri { get; private set; }

    public string? Unavailable { get; private set; }

    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_PUBSUB_EMULATOR") == "1";

    public async Task InitializeAsync()
    {
        if (!Required && !Support.TestLane.Full)
        {
            Unavailable = $"the Pub/Sub emulator's end-to-end tests run in the full lane ({Support.TestLane.Variable}=1) or with REQUIRE_PUBSUB_EMULATOR=1";
            return;
        }

        var gcloud = FindOnPath("gcloud");
        if (gcloud is null)
        {
            Unavailable = "gcloud is not on PATH, so the Pub/Sub emulator cannot start";
            return;
        }

        var port = FreePort();
        var start = new ProcessStartInfo(gcloud)
        {
            ArgumentList = { "beta", "emulators", "pubsub", "start", $"--host-port=127.0.0.1:{port}", "--project=rsf-e2e", "--quiet" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("gcloud did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                Unavailable = $"the Pub/Sub emulator exited with code {_process.ExitCode} (is the pubsub-emulator component installed?)";
                return;
            }

            try
            {
                if ((await http.GetStringAsync(BaseUri)).Trim() == "Ok")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: the JVM takes a few seconds.
            }
            catch (TaskCanceledException)
            {
                // Same.
            }

            await Task.Delay(250);
        }

        Unavailable = "the Pub/Sub emulator did not answer within 90 s";
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // gcloud starts a JVM as a child: stop the whole tree or it outlives the test run.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Publishes one message with <paramref name="data"/> to <paramref name="topic"/> over the emulator's REST API.</summary>
    public static async Task PublishAsync(HttpClient pubsub, string topic, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(pubsub);
        var body = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["data"] = Convert.ToBase64String(data) }) };
        (await pubsub.PostAsJsonAsync($"v1/{topic}:publish", body)).EnsureSuccessStatusCode();
    }

    /// <summary>Waits up to 60 s for <paramref name="condition"/>; the push deliveries arrive on their own schedule.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}
