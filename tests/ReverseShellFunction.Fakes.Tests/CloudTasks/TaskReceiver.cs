using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReverseShellFunction.Fakes.Tests.CloudTasks;

/// <summary>
/// The target of the fake's dispatches: Kestrel at 127.0.0.1 that records every request (headers, body, how
/// many were in flight) and answers from a script, 200 once the script is used up.
/// </summary>
internal sealed class TaskReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter)> _script = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private int _inFlight;
    private int _maxInFlight;

    private TaskReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>How long each request is held before it is answered.</summary>
    public TimeSpan Hold { get; set; }

    public IReadOnlyList<Received> Requests => [.. _received];

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<TaskReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TaskReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = new Uri(address + "/completions");
        return receiver;
    }

    /// <summary>The next requests get these statuses, in order.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue((status, null));
        }
    }

    public void AnswerWithRetryAfter(int status, TimeSpan retryAfter) => _script.Enqueue((status, retryAfter));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var (status, retryAfter) = _script.TryDequeue(out var next) ? next : (200, null);
            _received.Enqueue(new Received(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body.ToArray(),
                status));
            if (Hold > TimeSpan.Zero)
            {
                await Task.Delay(Hold, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            if (retryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredWith);
}
