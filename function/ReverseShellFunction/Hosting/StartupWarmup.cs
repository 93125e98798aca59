using System.Diagnostics;
using Google.Cloud.Storage.V1;
using ReverseShellFunction.Collect.Auth;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Work of the first event that does not depend on any event, done by <c>serve</c> as soon as the host has
/// started, beside it rather than before it: readiness is not delayed, and a cold instance (Cloud Run starts one
/// when a finding arrives) meets its first delivery with credentials looked up, a token cached and the storage
/// client's JSON contracts built. Best effort: whatever fails here is done again, and reported, by the event.
/// </summary>
internal static partial class StartupWarmup
{
    // The shapes the storage client parses on every call (object metadata; the error body of a 404 or 412).
    private const string SampleObject = """{"kind":"storage#object","name":"warm-up","bucket":"warm-up","generation":"1","metageneration":"1","size":"0","md5Hash":"1B2M2Y8AsgTpgAmY7PhCfg==","crc32c":"AAAAAA==","timeCreated":"2026-01-01T00:00:00.000Z","metadata":{"sha256":"0"}}""";
    private const string SampleError = """{"error":{"code":404,"message":"No such object: warm-up/warm-up","errors":[{"message":"No such object: warm-up/warm-up","domain":"global","reason":"notFound"}]}}""";

    public static void Start(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => RunAsync(app.Services, app.Lifetime.ApplicationStopping)));
    }

    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupWarmup).FullName!);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The metadata-server probe and the token request, otherwise made by the first collector to need them.
            if (services.GetService<IAccessTokenSource>() is { } tokens && await tokens.HasCredentialsAsync(cancellationToken))
            {
                _ = await tokens.GetAccessTokenAsync(cancellationToken);
            }

            // The client's JSON library builds a contract per type by reflection on first use.
            if (services.GetService<StorageClient>() is { } client)
            {
                _ = client.Service.Serializer.Deserialize<Google.Apis.Storage.v1.Data.Object>(SampleObject);
                _ = client.Service.Serializer.Deserialize<Google.Apis.Util.StandardResponse<object>>(SampleError);
            }

            LogWarm(logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping before the warm-up ended: nothing to report.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(logger, ex.Message, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Startup warm-up done in {ElapsedMs:0} ms: credentials, token and the storage client's JSON ready before the first event")]
    private static partial void LogWarm(ILogger logger, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Startup warm-up failed; the first event does this work itself and reports it: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception exception);
}
