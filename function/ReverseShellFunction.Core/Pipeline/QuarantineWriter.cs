using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Preserves a request that can never become a bundle, so it is acknowledged without being lost. Only headers
/// on an allowlist keep their values (credentials and tokens travel in headers nobody can enumerate in advance:
/// <c>X-Forwarded-Authorization</c>, API keys, CloudEvent extensions); the names of the others are recorded.
/// The body is kept up to <see cref="MaxBodyBytes"/>; its true length and the SHA-256 of all of it always.
/// Each delivery gets its own record, even when two carry the same body in the same millisecond.
/// </summary>
public sealed class QuarantineWriter(IEvidenceStore store, ILogger<QuarantineWriter> logger)
{
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    /// <summary>Headers whose values are kept: what says how the request was sent, never who sent it with what secret.</summary>
    internal static readonly HashSet<string> s_keptHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-length", "content-encoding", "user-agent", "from", "host", "accept", "accept-encoding",
        "ce-specversion", "ce-type", "ce-source", "ce-id", "ce-time", "ce-subject", "ce-datacontenttype", "ce-dataschema",
        "x-goog-pubsub-message-id", "x-goog-pubsub-publish-time", "x-goog-pubsub-subscription-name", "x-goog-pubsub-ordering-key",
        "traceparent", "x-cloud-trace-context", "x-forwarded-for", "x-forwarded-proto",
    };

    private const int MaxRecordedHeaderNames = 64;

    /// <param name="error">For <see cref="DeliveryProblem.Unreadable"/>: the exception no rule expected, logged with the warning so a rule can be added.</param>
    public async Task<PipelineResult> WriteAsync(RawDelivery raw, DeliveryProblem problem, string message, CancellationToken cancellationToken, Exception? error = null)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(message);
        var kept = raw.Body[..Math.Min(raw.Body.Length, MaxBodyBytes)];
        var record = new QuarantineRecord
        {
            Problem = problem,
            Message = message,
            ReceivedAt = raw.ReceivedAt,
            Origin = raw.Origin,
            Headers = raw.Headers.Where(h => s_keptHeaders.Contains(h.Key))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal),
            DroppedHeaders = [.. raw.Headers.Keys.Where(name => !s_keptHeaders.Contains(name))
                .Select(name => name.ToLowerInvariant()).Order(StringComparer.Ordinal).Take(MaxRecordedHeaderNames)],
            BodyLength = raw.BodyLength,
            BodySha256 = raw.BodySha256,
            BodyTruncated = kept.Length < raw.BodyLength,
            BodyBase64 = Convert.ToBase64String(kept.Span),
        };
        var json = EvidenceJson.Serialize(record);

        // The nonce makes the name unique per delivery; a collision with another record would need the same
        // millisecond, body and 64 random bits, and is retried with new bits rather than dropped.
        for (var attempt = 1; ; attempt++)
        {
            var name = BundleLayout.QuarantineObject(raw.ReceivedAt, raw.BodySha256, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            if (await store.CreateQuarantineAsync(name, json, cancellationToken) == CreateResult.Created)
            {
                logger.LogWarning(
                    error,
                    "Quarantined a delivery that can never become a bundle: {Problem} ({Reason}); kept as {Object} and acknowledged",
                    problem,
                    message,
                    name);
                return new PipelineResult { Outcome = PipelineOutcome.Quarantined, Reason = $"{problem}: {message}", ObjectName = name };
            }

            if (attempt == 3)
            {
                throw new EvidenceStoreException($"Could not find a free quarantine object name after {attempt} attempts (last: {name}).");
            }
        }
    }
}
