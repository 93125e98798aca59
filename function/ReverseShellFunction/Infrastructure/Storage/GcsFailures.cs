using System.Net;
using Google;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>How the store reads a failed Cloud Storage call: retry it, or report it as a store failure.</summary>
internal static class GcsFailures
{
    /// <summary>The codes the client retries for idempotent calls (RetryPredicate.RetriableIdempotentErrors in 5.0.0).</summary>
    private static readonly HashSet<HttpStatusCode> s_retriableStatuses =
    [
        HttpStatusCode.RequestTimeout,
        HttpStatusCode.TooManyRequests,
        HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway,
        HttpStatusCode.ServiceUnavailable,
        HttpStatusCode.GatewayTimeout,
    ];

    public static bool IsRetriableStatus(Exception exception) =>
        exception is GoogleApiException api && s_retriableStatuses.Contains(api.HttpStatusCode);

    /// <summary>
    /// The connection broke or the per-request HTTP timeout fired: worth another attempt. A download whose
    /// bytes fail the client's CRC32C check surfaces as an IOException too, and a fresh download may succeed.
    /// </summary>
    public static bool IsTransport(Exception exception, CancellationToken ours) =>
        exception is HttpRequestException or IOException
        || (exception is TaskCanceledException && !ours.IsCancellationRequested);

    /// <summary>The service's own message where there is one: it names the bucket, the object and the reason.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        GoogleApiException api => $"{(int)api.HttpStatusCode} {api.HttpStatusCode}: {api.Error?.Message ?? api.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
