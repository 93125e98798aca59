using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// One headless Chromium for a whole test class, driven over the DevTools protocol (a WebSocket on 127.0.0.1):
/// starting the browser costs more than the pages a test loads in it, so each test opens its own tab instead of
/// its own browser. Pages are waited for by condition (the document loaded, a result written), never by a fixed time.
/// </summary>
internal sealed partial class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly TempFolder _profile;
    private readonly ClientWebSocket _socket;
    private readonly StringBuilder _log;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiver;
    private int _nextId;

    private HeadlessChromium(Process process, TempFolder profile, ClientWebSocket socket, StringBuilder log)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _log = log;
        _receiver = Task.Run(ReceiveAsync);
    }

    /// <summary>Starts the browser with an empty profile and connects to it.</summary>
    public static async Task<HeadlessChromium> StartAsync(string executable)
    {
        var profile = new TempFolder();
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };

        // The machine's network is closed: without the background-networking flags Chromium keeps dialling out.
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0",
            $"--user-data-dir={profile.Path}", "about:blank",
        })
        {
            start.ArgumentList.Add(flag);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var log = new StringBuilder();
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Both pipes are read to their end: a full pipe would stall the browser.
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }

                var match = ListeningPattern().Match(line);
                if (match.Success)
                {
                    endpoint.TrySetResult(new Uri(match.Groups[1].Value));
                }
            }

            endpoint.TrySetException(new InvalidOperationException($"Chromium exited without a DevTools endpoint: {log}"));
        });
        _ = process.StandardOutput.ReadToEndAsync();

        var socket = new ClientWebSocket();
        try
        {
            using var timeout = new CancellationTokenSource(s_commandTimeout);
            var uri = await endpoint.Task.WaitAsync(timeout.Token);
            await socket.ConnectAsync(uri, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            process.Kill(entireProcessTree: true);
            process.Dispose();
            profile.Dispose();
            throw;
        }

        return new HeadlessChromium(process, profile, socket, log);
    }

    /// <summary>A new tab with a viewport of the given size, closed when disposed.</summary>
    public async Task<Tab> OpenTabAsync(int width, int height)
    {
        var created = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var targetId = created.GetProperty("targetId").GetString()!;
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true });
        var tab = new Tab(this, targetId, attached.GetProperty("sessionId").GetString()!);
        await tab.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        return tab;
    }

    /// <summary>What the browser wrote on stderr so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await SendAsync("Browser.close", new JsonObject(), sessionId: null);
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or InvalidOperationException or TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _stop.CancelAsync();
        try
        {
            await _receiver;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The browser went away under the receive loop: that is how it ends.
        }

        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        _send.Dispose();
        _profile.Dispose();
    }

    private async Task<JsonElement> SendAsync(string method, JsonObject parameters, string? sessionId = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        using var timeout = new CancellationTokenSource(s_commandTimeout);
        await _send.WaitAsync(timeout.Token);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        }
        finally
        {
            _send.Release();
        }

        try
        {
            return await answer.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Chromium did not answer {method} in {s_commandTimeout.TotalSeconds} s: {Log}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Answers go to their command by id; events (messages without one) are not used.</summary>
    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var received = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            using (var document = JsonDocument.Parse(message.ToArray()))
            {
                var root = document.RootElement;
                if (root.TryGetProperty("id", out var id) && _pending.TryGetValue(id.GetInt32(), out var answer))
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        answer.TrySetException(new InvalidOperationException($"Chromium refused a command: {error}"));
                    }
                    else
                    {
                        answer.TrySetResult(root.GetProperty("result").Clone());
                    }
                }
            }

            message.SetLength(0);
        }

        foreach (var answer in _pending.Values)
        {
            answer.TrySetException(new InvalidOperationException($"Chromium closed the connection: {Log}"));
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex ListeningPattern();

    /// <summary>One tab of the browser: load a page, read a value from it, take a screenshot, print it.</summary>
    internal sealed class Tab(HeadlessChromium browser, string targetId, string sessionId) : IAsyncDisposable
    {
        public Task<JsonElement> SendAsync(string method, JsonObject parameters) => browser.SendAsync(method, parameters, sessionId);

        /// <summary>Loads the page and waits until its document has loaded.</summary>
        public async Task NavigateAsync(string url)
        {
            var navigated = await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
            if (navigated.TryGetProperty("errorText", out var error))
            {
                throw new InvalidOperationException($"Chromium could not load {url}: {error}");
            }

            await WaitForAsync("document.readyState === 'complete'", "true");
        }

        /// <summary>The expression's value as a string, once <paramref name="ready"/> holds on the page.</summary>
        public async Task WaitForAsync(string ready, string expected)
        {
            using var timeout = new CancellationTokenSource(s_commandTimeout);
            while (await EvaluateAsync(ready) != expected)
            {
                // A condition on the page, polled: the page's own timers run in real time.
                await Task.Delay(20, timeout.Token);
            }
        }

        /// <summary>A JavaScript expression's value, as a string.</summary>
        public async Task<string> EvaluateAsync(string expression)
        {
            var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = $"String({expression})", ["returnByValue"] = true });
            if (result.TryGetProperty("exceptionDetails", out var exception))
            {
                throw new InvalidOperationException($"the page threw: {exception}");
            }

            return result.GetProperty("result").GetProperty("value").GetString()!;
        }

        public async Task<byte[]> ScreenshotAsync()
        {
            var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
            return Convert.FromBase64String(shot.GetProperty("data").GetString()!);
        }

        /// <summary>The page printed as Chromium prints it by default, without header and footer.</summary>
        public async Task<byte[]> PrintToPdfAsync()
        {
            var pdf = await SendAsync("Page.printToPDF", new JsonObject { ["displayHeaderFooter"] = false });
            return Convert.FromBase64String(pdf.GetProperty("data").GetString()!);
        }

        public async ValueTask DisposeAsync() => await browser.SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = targetId });
    }
}
