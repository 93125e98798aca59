using System.Net;
using Google;
using Microsoft.Extensions.Logging;
using Polly;
using ReverseShellFunction.Store;
using RetryPolicy = ReverseShellFunction.Infrastructure.GoogleApis.RetryPolicy;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Runs one store call under the overall timeout, retrying what is worth retrying with exponential backoff (the
/// REST client's Polly retry, on the store's timing), and turns the final failure into an
/// <see cref="EvidenceStoreException"/> (the edge answers 503, so the delivery comes back). Retrying is safe only
/// because every write is create-only: a repeated create finds the object.
/// </summary>
internal sealed class GcsRetryPolicy(GcsStoreOptions options, ILogger logger)
{
    private readonly RetryPolicy _retry = new()
    {
        MaxAttempts = options.MaxAttempts,
        InitialBackoff = options.RetryTiming.InitialBackoff,
        MaxBackoff = options.RetryTiming.MaxBackoff,
        Multiplier = options.RetryTiming.BackoffMultiplier,
    };

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

    /// <param name="retryStatuses">
    /// False where the client already retries 408/429/5xx itself (calls with RetryOptions); connection failures
    /// are retried here either way, since the client does not retry those.
    /// </param>
    public async Task<T> RunAsync<T>(
        string operation,
        string objectName,
        bool retryStatuses,
        Func<CancellationToken, Task<T>> attempt,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.OperationTimeout);
        var number = 0;
        Exception? waitingAfter = null;
        var pipeline = _retry.Retries(
            failure => failure is not EvidenceStoreException
                && (IsTransport(failure, deadline.Token) || (retryStatuses && IsRetriableStatus(failure))),
            (failure, failed, delay) =>
            {
                waitingAfter = failure;
                logger.LogWarning(
                    "Cloud Storage {Operation} of {ObjectName} failed ({Failure}) on attempt {Attempt}; retrying in {DelayMs} ms",
                    operation,
                    objectName,
                    Describe(failure),
                    failed,
                    (long)delay.TotalMilliseconds);
            }).Build();
        try
        {
            return await pipeline.ExecuteAsync(
                async token =>
                {
                    number++;
                    waitingAfter = null;
                    return await attempt(token);
                },
                deadline.Token);
        }
        catch (Exception ex) when (ex is not EvidenceStoreException && !cancellationToken.IsCancellationRequested)
        {
            var where = $"gs://{options.Bucket}/{objectName}";
            if (deadline.IsCancellationRequested)
            {
                // When the deadline ended a wait, the failure that caused the wait says why.
                var late = $"Cloud Storage {operation} of {where} did not finish within {options.OperationTimeout.TotalSeconds:0.#} s ({number} attempts)";
                throw waitingAfter is null
                    ? new EvidenceStoreException($"{late}.", ex)
                    : new EvidenceStoreException($"{late}: {Describe(waitingAfter)}", waitingAfter);
            }

            var tries = number == 1 ? "" : $" after {number} attempts";
            throw new EvidenceStoreException($"Cloud Storage {operation} of {where} failed{tries}: {Describe(ex)}", ex);
        }
    }
}
