using System.Diagnostics;
using Google.Cloud.Storage.V1;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Pipeline;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Work of the first event that does not depend on any event, done by <c>serve</c> on another thread while the
/// host starts, beside it rather than before it: readiness is not waited for it, and a cold instance (Cloud Run
/// starts one when a finding arrives) meets its first delivery with credentials looked up, a token cached, the
/// storage client's JSON contracts built and one throw-away part assembled. Best effort: whatever fails here is
/// done again, and reported, by the event.
/// </summary>
internal static partial class StartupWarmup
{
    // The shapes the storage client parses on every call (object metadata; the error body of a 404 or 412).
    private const string SampleObject = """{"kind":"storage#object","name":"warm-up","bucket":"warm-up","generation":"1","metageneration":"1","size":"0","md5Hash":"1B2M2Y8AsgTpgAmY7PhCfg==","crc32c":"AAAAAA==","timeCreated":"2026-01-01T00:00:00.000Z","metadata":{"sha256":"0"}}""";
    // A Reverse Shell notification of the usual shape, with documentation addresses and made-up ids: the part
    // built from it is deleted, never stored. Its event time is fixed (in the past, as the decoder requires).
    private const string SampleNotification = """
        {"notificationConfigName":"organizations/0/locations/global/notificationConfigs/warm-up",
         "finding":{"name":"organizations/0/sources/0/locations/global/findings/warmup","canonicalName":"projects/0/sources/0/locations/global/findings/warmup",
          "parent":"organizations/0/sources/0/locations/global","resourceName":"//run.googleapis.com/projects/warm-up/locations/europe-west1/services/warm-up",
          "state":"ACTIVE","category":"Reverse Shell","severity":"CRITICAL","mute":"UNDEFINED","findingClass":"THREAT",
          "eventTime":"2026-01-01T00:00:00.000Z","createTime":"2026-01-01T00:00:01.000Z",
          "sourceProperties":{"Reverse_Shell_Stdin_Redirection_Dst_Ip":"192.0.2.1","Reverse_Shell_Stdin_Redirection_Dst_Port":"4444",
           "Reverse_Shell_Stdin_Redirection_Src_Ip":"10.0.0.1","Reverse_Shell_Stdin_Redirection_Src_Port":"50000","Container_Image_Uri":"example.invalid/warm-up:1"},
          "indicator":{"ipAddresses":["192.0.2.1"]},
          "mitreAttack":{"primaryTactic":"EXECUTION","primaryTechniques":["COMMAND_AND_SCRIPTING_INTERPRETER"],"additionalTechniques":["INGRESS_TOOL_TRANSFER"]},
          "processes":[{"name":"sh","binary":{"path":"/bin/sh","sha256":"0000000000000000000000000000000000000000000000000000000000000000"},"args":["sh","-i"],"pid":"2","parentPid":"1"}],
          "containers":[{"name":"warm-up","uri":"example.invalid/warm-up:1","imageId":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}],
          "description":"start-up warm-up"},
         "resource":{"name":"//run.googleapis.com/projects/warm-up/locations/europe-west1/services/warm-up","displayName":"warm-up","type":"google.cloud.run.Service",
          "location":"europe-west1","gcpMetadata":{"project":"//cloudresourcemanager.googleapis.com/projects/0","projectDisplayName":"warm-up"}}}
        """;

    private const string SampleError = """{"error":{"code":404,"message":"No such object: warm-up/warm-up","errors":[{"message":"No such object: warm-up/warm-up","domain":"global","reason":"notFound"}]}}""";

    /// <summary>
    /// Begins the warm-up now, while the host is still to start (Kestrel, routing) on the other thread: the
    /// metadata-server probe and the token take about as long as that start, and a cold instance's first event,
    /// which arrives as soon as it listens, needs both before its first collector call.
    /// </summary>
    public static void Start(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = Task.Run(() => RunAsync(app.Services, app.Lifetime.ApplicationStopping));
    }

    /// <returns>True when every step ran; false when one failed (and was logged) or the host stopped first.</returns>
    public static async Task<bool> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
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

            // Last: the first event needs these only once its collectors are done.
            var (bytes, files) = (0L, 0);
            if (services.GetService<EvidenceFunction>() is { } function)
            {
                (bytes, files) = await function.WarmUpAsync(System.Text.Encoding.UTF8.GetBytes(SampleNotification), cancellationToken);
            }

            LogWarm(logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds, bytes, files);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping before the warm-up ended: nothing to report.
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(logger, ex.Message, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Startup warm-up done in {ElapsedMs:0} ms: credentials, token, the storage client's JSON, and a throw-away part ({Bytes} bytes, {Files} files) assembled and deleted")]
    private static partial void LogWarm(ILogger logger, double elapsedMs, long bytes, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Startup warm-up failed; the first event does this work itself and reports it: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception exception);
}
