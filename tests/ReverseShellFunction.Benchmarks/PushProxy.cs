using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ReverseShellFunction.Benchmarks;

/// <summary>One push the emulator made: its message, the finding it carried, the answer and how long it took.</summary>
internal sealed record ObservedPush(string MessageId, string FindingName, DateTimeOffset EventTime, EventAnswer Answer, TimeSpan Took);

/// <summary>
/// Between the Pub/Sub emulator and the function: forwards each push unchanged and records what the emulator saw
/// (status, time to answer), so that "answered within the ack deadline" is measured where Pub/Sub measures it.
/// </summary>
internal sealed class PushProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PushProxy(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<ObservedPush> Pushes { get; } = new();

    public static async Task<PushProxy> StartAsync(Uri function, HttpClient http)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        PushProxy? proxy = null;
        app.MapPost("/", async (HttpContext context) =>
        {
            var started = Stopwatch.GetTimestamp();
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            using var request = new HttpRequestMessage(HttpMethod.Post, function) { Content = new ByteArrayContent(body.ToArray()) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var answer = await EventClient.SendAsync(http, request);
            var (messageId, name, eventTime) = Describe(body.ToArray());
            proxy!.Pushes.Enqueue(new ObservedPush(messageId, name, eventTime, answer, Stopwatch.GetElapsedTime(started)));
            return Results.StatusCode(answer.Status == 0 ? 502 : (int)answer.Status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new PushProxy(app, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/"));
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static (string MessageId, string FindingName, DateTimeOffset EventTime) Describe(byte[] push)
    {
        using var document = JsonDocument.Parse(push);
        var message = document.RootElement.GetProperty("message");
        var id = message.TryGetProperty("messageId", out var m) ? m.GetString() ?? "?" : "?";
        using var notification = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(message.GetProperty("data").GetString()!)));
        var finding = notification.RootElement.GetProperty("finding");
        return (id, finding.GetProperty("name").GetString()!, finding.GetProperty("eventTime").GetDateTimeOffset());
    }
}
