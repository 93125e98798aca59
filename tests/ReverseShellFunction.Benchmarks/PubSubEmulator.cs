using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Benchmarks;

/// <summary>
/// The real Pub/Sub emulator (<c>gcloud beta emulators pubsub start</c>) on a free loopback port, stopped with its
/// whole process tree; topics, push subscriptions and publishing over its REST API.
/// </summary>
internal sealed class PubSubEmulator : IAsyncDisposable
{
    public const string Project = "projects/rsf-bench";
    private readonly Process _process;

    private PubSubEmulator(Process process, HttpClient http)
    {
        _process = process;
        Http = http;
    }

    public HttpClient Http { get; }

    public static async Task<PubSubEmulator> StartAsync()
    {
        var gcloud = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "gcloud")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("gcloud is not on PATH: the Pub/Sub emulator cannot start");
        var port = ServerProcess.FreePort();
        var start = new ProcessStartInfo(gcloud)
        {
            ArgumentList = { "beta", "emulators", "pubsub", "start", $"--host-port=127.0.0.1:{port}", "--project=rsf-bench", "--quiet" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("gcloud did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && !process.HasExited)
        {
            try
            {
                if ((await http.GetStringAsync(new Uri("/", UriKind.Relative))).Trim() == "Ok")
                {
                    return new PubSubEmulator(process, http);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The JVM takes a few seconds to listen.
            }

            await Task.Delay(250);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("the Pub/Sub emulator did not answer within 90 s");
    }

    /// <summary>A new topic and a push subscription to <paramref name="endpoint"/>; returns the topic's name.</summary>
    public async Task<string> PushTopicAsync(Uri endpoint, int ackDeadlineSeconds)
    {
        var topic = $"{Project}/topics/findings-{Guid.NewGuid():N}";
        (await Http.PutAsJsonAsync($"v1/{topic}", new { })).EnsureSuccessStatusCode();
        (await Http.PutAsJsonAsync($"v1/{Project}/subscriptions/push-{Guid.NewGuid():N}", new
        {
            topic,
            pushConfig = new { pushEndpoint = endpoint.ToString() },
            ackDeadlineSeconds,
        })).EnsureSuccessStatusCode();
        return topic;
    }

    public async Task PublishAsync(string topic, byte[] data)
    {
        var body = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["data"] = Convert.ToBase64String(data) }) };
        (await Http.PostAsJsonAsync($"v1/{topic}:publish", body)).EnsureSuccessStatusCode();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
