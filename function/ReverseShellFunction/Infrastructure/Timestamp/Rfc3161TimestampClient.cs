using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Custody;

namespace ReverseShellFunction.Infrastructure.Timestamp;

/// <summary>
/// Asks an RFC 3161 TSA over HTTP (RFC 3161 section 3.4: POST application/timestamp-query, answer
/// application/timestamp-reply) for a token over a SHA-256 digest, with a random nonce and the signer's
/// certificate requested, so the token verifies offline with only the TSA's CA certificate. The answer is
/// checked against the request (status, digest, nonce, signature) before it is kept. A transport error or
/// 5xx is tried once more; anything else fails at once: a missing timestamp never holds evidence back.
/// </summary>
public sealed class Rfc3161TimestampClient(HttpClient http, Uri url, TimeSpan? attemptTimeout = null) : ITimestampAuthority
{
    private const int MaxResponseBytes = 256 * 1024;
    private static readonly MediaTypeHeaderValue s_query = new("application/timestamp-query");

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly Uri _url = url ?? throw new ArgumentNullException(nameof(url));
    private readonly TimeSpan _attemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10);

    public string Location => _url.ToString();

    public async Task<TimestampToken> StampAsync(byte[] sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var nonce = RandomNumberGenerator.GetBytes(16);

        // A leading zero would be dropped from the INTEGER and the nonce would not compare equal.
        nonce[0] = (byte)((nonce[0] & 0x7F) | 0x01);
        var request = Rfc3161TimestampRequest.CreateFromHash(sha256, HashAlgorithmName.SHA256, nonce: nonce, requestSignerCertificates: true);
        var body = request.Encode();
        const int attempts = 2;
        for (var attempt = 1; ; attempt++)
        {
            var (answer, transient) = await PostAsync(body, cancellationToken);
            if (answer is not null)
            {
                return Accept(request, answer, sha256);
            }

            if (attempt >= attempts)
            {
                throw new TimestampException($"{transient} (after {attempts} attempts)");
            }
        }
    }

    /// <summary>The answer's bytes, or null and the reason of a transient failure worth one more try.</summary>
    private async Task<(byte[]? Answer, string? Transient)> PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_attemptTimeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) { Headers = { ContentType = s_query } } };
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            if (code >= 500 || code == 429)
            {
                return (null, $"the TSA answered HTTP {code}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new TimestampException($"the TSA answered HTTP {code}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var answer = await EntryDigest.ReadSmallAsync(stream, MaxResponseBytes, response.Content.Headers.ContentLength ?? 0, timeout.Token);
            return (answer ?? throw new TimestampException($"the TSA's answer is larger than {MaxResponseBytes} bytes"), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer from the TSA within {_attemptTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return (null, $"could not reach the TSA: {ex.Message}");
        }
    }

    private TimestampToken Accept(Rfc3161TimestampRequest request, byte[] answer, byte[] sha256)
    {
        Rfc3161TimestampToken token;
        try
        {
            // Checks the PKIStatus, the message imprint and the nonce against the request.
            token = request.ProcessResponse(answer, out _);
        }
        catch (CryptographicException ex)
        {
            throw new TimestampException($"the TSA's answer was refused: {ex.Message}", ex);
        }

        if (!token.VerifySignatureForHash(sha256, HashAlgorithmName.SHA256, out var signer, extraCandidates: null))
        {
            throw new TimestampException("the TSA's token does not carry a valid signature by its signer certificate");
        }

        signer?.Dispose();
        return new TimestampToken(token.AsSignedCms().Encode(), token.TokenInfo.Timestamp, Location);
    }
}
