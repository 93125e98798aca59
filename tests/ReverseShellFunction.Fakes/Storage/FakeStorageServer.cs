using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// A Cloud Storage JSON API fake on Kestrel at 127.0.0.1 (an ephemeral port unless one is given), for the real
/// <c>StorageClient</c>: point it at <see cref="BaseUri"/> with unauthenticated access, or set
/// <c>STORAGE_EMULATOR_HOST</c> to <see cref="EmulatorHost"/>. Objects live in memory in <see cref="Objects"/>;
/// <see cref="Faults"/> arms failures; <see cref="Requests"/> logs what arrived.
/// </summary>
public sealed class FakeStorageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeStorageState _state;

    private FakeStorageServer(WebApplication app, FakeStorageState state)
    {
        _app = app;
        _state = state;
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Root => _state.Root;

    /// <summary>What <c>StorageClientBuilder.BaseUri</c> needs: the root plus <c>storage/v1/</c>.</summary>
    public Uri BaseUri => new(_state.Root, "storage/v1/");

    /// <summary>The value for <c>STORAGE_EMULATOR_HOST</c>: <c>127.0.0.1:PORT</c>.</summary>
    public string EmulatorHost => _state.Root.Authority;

    public FakeObjectTable Objects => _state.Objects;

    public FakeStorageFaults Faults => _state.Faults;

    public FakeRequestLog Requests => _state.Requests;

    /// <summary>
    /// Requests this fake refused because the JSON API's definition does not allow them, and answers of its own that
    /// broke the response schema; <see cref="DisposeAsync"/> throws while anything is kept.
    /// </summary>
    public Definitions.ApiConformance Conformance => _state.Conformance;

    /// <summary>The bucket resource (retention policy, holds, default key) that bucket reads answer.</summary>
    public FakeBucketSettings Bucket
    {
        get => _state.Bucket;
        set => _state.Bucket = value;
    }

    /// <summary>
    /// Waited before every request is handled, as a network round trip would (zero by default); may be changed at
    /// any time. Armed delays come on top.
    /// </summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _state.LatencyTicks));
        set => Interlocked.Exchange(ref _state.LatencyTicks, value.Ticks);
    }

    public static async Task<FakeStorageServer> StartAsync(int port = 0, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Fake" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);

            // Chunks and whole-object uploads can be large; the real service takes up to 5 TiB.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var state = new FakeStorageState(time ?? TimeProvider.System);
        var router = new FakeStorageRouter(state);

        // The client gzips JSON request bodies (Content-Encoding: gzip), as the real service accepts.
        builder.Services.AddRequestDecompression();
        var app = builder.Build();
        app.UseRequestDecompression();
        app.Run(router.HandleAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        state.Root = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
        return new FakeStorageServer(app, state);
    }

    /// <summary>
    /// Runs the fake on its own until Ctrl+C, SIGTERM or cancellation, printing how to point the function at it.
    /// For the Fakes program: <c>await FakeStorageServer.RunAsync(4443, Console.Out, CancellationToken.None);</c>
    /// </summary>
    public static async Task RunAsync(int port, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var server = await StartAsync(port, cancellationToken: cancellationToken);
        await output.WriteLineAsync($"Fake Cloud Storage at {server.BaseUri} (any bucket name exists; objects are kept in memory).");
        await output.WriteLineAsync($"  export STORAGE_EMULATOR_HOST={server.EmulatorHost}");
        await output.WriteLineAsync("  export EVIDENCE_BUCKET=evidence-local");

        // The host stops itself on Ctrl+C or SIGTERM (its console lifetime takes those signals), or the caller cancels.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, server._app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _state.Conformance.ThrowIfAny("The Cloud Storage fake");
    }
}
