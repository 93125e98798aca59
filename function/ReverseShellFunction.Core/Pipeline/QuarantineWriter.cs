using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Preserves a request that can never become a bundle, so it is acknowledged without being lost. Credentials
/// in headers are dropped; the body is kept up to <see cref="MaxBodyBytes"/>.
/// </summary>
public sealed class QuarantineWriter
{
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    private static readonly HashSet<string> s_secretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "cookie", "x-serverless-authorization", "x-goog-iap-jwt-assertion",
    };

    private readonly IEvidenceStore _store;
    private readonly ILogger<QuarantineWriter> _logger;

    public QuarantineWriter(IEvidenceStore store, ILogger<QuarantineWriter> logger)
    {
        _store = store;
        _logger = logger;
    }

    public async Task<PipelineResult> WriteAsync(RawDelivery raw, InvalidDeliveryException problem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(problem);
        var kept = raw.Body.AsMemory(0, Math.Min(raw.Body.Length, MaxBodyBytes));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(raw.Body));
        var record = new QuarantineRecord
        {
            Problem = problem.Problem.ToString(),
            Message = problem.Message,
            ReceivedAt = raw.ReceivedAt,
            Origin = raw.Origin,
            Headers = raw.Headers.Where(h => !s_secretHeaders.Contains(h.Key)).ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value),
            BodyLength = raw.BodyLength,
            BodySha256 = sha256,
            BodyTruncated = kept.Length < raw.BodyLength,
            BodyBase64 = Convert.ToBase64String(kept.Span),
        };

        var name = StoreLayout.QuarantineObject(raw.ReceivedAt, sha256);
        var created = await _store.CreateQuarantineAsync(name, EvidenceJson.Serialize(record), cancellationToken);
        _logger.LogWarning(
            "Quarantined a delivery that can never become a bundle: {Problem} ({Reason}); kept as {Object} ({Result}) and acknowledged",
            problem.Problem,
            problem.Message,
            name,
            created);
        return new PipelineResult { Outcome = PipelineOutcome.Quarantined, Reason = $"{problem.Problem}: {problem.Message}", ObjectName = name };
    }
}
