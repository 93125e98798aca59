using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// The real HTTP function (FunctionApp, the composition <c>serve</c> uses) on Kestrel at 127.0.0.1, with an
/// injected environment: settings from the given variables only, no credential lookup on the machine, and
/// optionally a store of the test's own. Nothing of the process environment leaks in.
/// </summary>
internal sealed class FunctionHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FunctionHost(WebApplication app, Uri address, ConcurrentBag<int> statuses, ConcurrentQueue<HostResponse> responses, CapturedLogs logs)
    {
        _app = app;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address };
        Statuses = statuses;
        Responses = responses;
    }

    public HttpClient Client { get; }

    /// <summary>Every line the function logged, captured instead of printed.</summary>
    public CapturedLogs Logs { get; }

    /// <summary>The status code of every response the function sent, in no particular order.</summary>
    public ConcurrentBag<int> Statuses { get; }

    /// <summary>Every response: path, status and how long the function took from the request's arrival.</summary>
    public ConcurrentQueue<HostResponse> Responses { get; }

    /// <summary>The function's own address, for a push subscription's endpoint.</summary>
    public Uri Address => Client.BaseAddress!;

    public IServiceProvider Services => _app.Services;

    public static async Task<FunctionHost> StartAsync(
        IReadOnlyDictionary<string, string> variables,
        IEvidenceStore? store = null,
        IAccessTokenSource? tokens = null,
        Action<IServiceCollection>? configure = null,
        int port = 0,
        Func<FunctionSettings, FunctionSettings>? adjust = null)
    {
        var environment = HostEnvironment.Isolated(name => variables.GetValueOrDefault(name));
        var settings = FunctionSettings.From(environment.Variable);
        settings = adjust?.Invoke(settings) ?? settings;
        var logs = new CapturedLogs();
        var app = FunctionApp.Build(["--urls", $"http://127.0.0.1:{port}"], settings, services =>
        {
            // The app's log lines are captured for the test to read, not written to the test run's console.
            services.RemoveAll<ILoggerProvider>();
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddSingleton(environment.Credentials);
            services.AddSingleton(tokens ?? NoAccessTokenSource.Instance);
            if (store is not null)
            {
                services.AddSingleton(store);
            }

            configure?.Invoke(services);
        });
        var statuses = new ConcurrentBag<int>();
        var responses = new ConcurrentQueue<HostResponse>();
        app.Use(async (context, next) =>
        {
            var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
            await next();
            statuses.Add(context.Response.StatusCode);
            responses.Enqueue(new HostResponse(context.Request.Path.Value ?? "/", context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(arrived)));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FunctionHost(app, new Uri(address + "/"), statuses, responses, logs);
    }

    /// <summary>A loopback port free now, for a test whose settings must name the function's address before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One response of the function under test.</summary>
internal sealed record HostResponse(string Path, int Status, TimeSpan Took);
