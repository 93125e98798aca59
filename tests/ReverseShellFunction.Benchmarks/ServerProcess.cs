using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ReverseShellFunction.Benchmarks;

/// <summary>
/// A server started as its own process on a free loopback port, its output appended to a log file. The clock
/// starts immediately before <see cref="Process.Start()"/>. Disposing kills it (only this process, by its id).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly string[] s_owned =
    [
        "PORT", "ASPNETCORE_URLS", "EVIDENCE_DIR", "EVIDENCE_BUCKET", "STORAGE_EMULATOR_HOST", "SCC_API_ENDPOINT",
        "RUN_API_ENDPOINT", "LOGGING_API_ENDPOINT", "GCE_METADATA_HOST", "K_SERVICE", "GOOGLE_APPLICATION_CREDENTIALS",
        "LOG_MAX_ENTRIES", "LOG_MAX_BYTES", "REDACTION_HMAC_KEY", "COLLECTION_DEADLINE_SECONDS", "COMPLETION_QUEUE", "COMPLETION_URL",
        "COMPLETION_SERVICE_ACCOUNT", "CLOUD_TASKS_API_ENDPOINT", "LOG_INGESTION_DELAY_SECONDS", "LOG_WINDOW_BEFORE_MINUTES", "LOG_WINDOW_AFTER_MINUTES",
        "RELATED_WINDOW_MINUTES", "LOGGING_QUOTA_PROJECT",
    ];

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _lock = new();
    private bool _closed;

    private ServerProcess(Process process, StreamWriter log, int port, long startedAt)
    {
        _process = process;
        _log = log;
        Port = port;
        StartedAt = startedAt;
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> taken just before the process was started.</summary>
    public long StartedAt { get; }

    /// <param name="port">A port picked before the start (<see cref="FreePort"/>), for a server whose settings name its own URL.</param>
    public static ServerProcess Start(Launch launch, IReadOnlyDictionary<string, string> environment, string logPath, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(environment);
        port ??= FreePort();
        var info = Info(launch, environment);
        info.Environment["PORT"] = port.Value.ToString(CultureInfo.InvariantCulture);

        // Loopback only: the function would otherwise listen on every interface.
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}";
        var log = new StreamWriter(logPath, append: true) { AutoFlush = false };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var startedAt = Stopwatch.GetTimestamp();
        process.Start();
        var server = new ServerProcess(process, log, port.Value, startedAt);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs a command to its end (bounded by <paramref name="timeout"/>) and returns its exit code, stdout and the time it took.</summary>
    public static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunAsync(
        Launch launch, IReadOnlyDictionary<string, string> environment, string logPath, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var info = Info(launch, environment);
        using var process = new Process { StartInfo = info };
        var output = new System.Text.StringBuilder();
        await using var log = new StreamWriter(logPath, append: true);
        var gate = new Lock();
        process.OutputDataReceived += (_, e) =>
        {
            lock (gate)
            {
                output.AppendLine(e.Data);
                log.WriteLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (gate)
            {
                log.WriteLine(e.Data);
            }
        };
        var started = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{launch.FileName} {string.Join(' ', launch.Arguments)} did not finish within {timeout.TotalSeconds:0} s.");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        lock (gate)
        {
            return (process.ExitCode, output.ToString(), elapsed);
        }
    }

    /// <summary>
    /// Sends the request again and again (a fresh one each time, 5 ms apart) until the server answers, and returns
    /// the answer and the time since the process was started. Only refused connections are retried.
    /// </summary>
    public async Task<(HttpResponseMessage Response, TimeSpan SinceStart)> FirstAnswerAsync(
        HttpClient http, Func<HttpRequestMessage> request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        while (true)
        {
            using var message = request();
            try
            {
                var response = await http.SendAsync(message);
                return (response, Stopwatch.GetElapsedTime(StartedAt));
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it answered; see its log.", ex);
                }

                if (Stopwatch.GetElapsedTime(StartedAt) > timeout)
                {
                    throw new TimeoutException($"The server did not answer within {timeout.TotalSeconds:0} s.", ex);
                }

                await Task.Delay(5);
            }
        }
    }

    /// <summary>Waits for <c>GET /ready</c> (the function) or any answer to <c>GET /ready</c> (the bare app has one too).</summary>
    public async Task<TimeSpan> WaitReadyAsync(HttpClient http, TimeSpan timeout)
    {
        var (response, since) = await FirstAnswerAsync(http, () => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "ready")), timeout);
        using (response)
        {
            response.EnsureSuccessStatusCode();
        }

        return since;
    }

    public ProcStatus Memory() => ProcStatus.Read(Id);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            lock (_lock)
            {
                _closed = true;
                _log.Dispose();
            }
        }
    }

    private static ProcessStartInfo Info(Launch launch, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in launch.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in s_owned)
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment.Concat(launch.Environment))
        {
            info.Environment[name] = value;
        }

        return info;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            if (!_closed)
            {
                _log.WriteLine(line);
            }
        }
    }
}
