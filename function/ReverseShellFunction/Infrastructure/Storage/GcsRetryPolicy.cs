using Microsoft.Extensions.Logging;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Runs one store call under the overall timeout, retrying what is worth retrying with exponential backoff, and
/// turns the final failure into an <see cref="EvidenceStoreException"/> (the edge answers 503, so the delivery
/// comes back). Retrying is safe only because every write is create-only: a repeated create finds the object.
/// </summary>
internal sealed class GcsRetryPolicy
{
    private readonly GcsStoreOptions _options;
    private readonly ILogger _logger;

    public GcsRetryPolicy(GcsStoreOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

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
        deadline.CancelAfter(_options.OperationTimeout);
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt(deadline.Token);
            }
            catch (Exception ex) when (ex is not EvidenceStoreException && !cancellationToken.IsCancellationRequested)
            {
                var where = $"gs://{_options.Bucket}/{objectName}";
                if (deadline.IsCancellationRequested)
                {
                    throw new EvidenceStoreException($"Cloud Storage {operation} of {where} did not finish within {_options.OperationTimeout.TotalSeconds:0.#} s ({number} attempts).", ex);
                }

                var retriable = GcsFailures.IsTransport(ex, deadline.Token) || (retryStatuses && GcsFailures.IsRetriableStatus(ex));
                if (!retriable || number >= _options.MaxAttempts)
                {
                    var tries = number == 1 ? "" : $" after {number} attempts";
                    throw new EvidenceStoreException($"Cloud Storage {operation} of {where} failed{tries}: {GcsFailures.Describe(ex)}", ex);
                }

                var timing = _options.RetryTiming;
                var delay = Backoff.EqualJitter(Backoff.Exponential(timing.InitialBackoff, timing.BackoffMultiplier, timing.MaxBackoff, number), Random.Shared.NextDouble());
                _logger.LogWarning(
                    "Cloud Storage {Operation} of {ObjectName} failed ({Failure}) on attempt {Attempt}; retrying in {DelayMs} ms",
                    operation,
                    objectName,
                    GcsFailures.Describe(ex),
                    number,
                    (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new EvidenceStoreException($"Cloud Storage {operation} of {where} did not finish within {_options.OperationTimeout.TotalSeconds:0.#} s ({number} attempts): {GcsFailures.Describe(ex)}", ex);
                }
            }
        }
    }
}
