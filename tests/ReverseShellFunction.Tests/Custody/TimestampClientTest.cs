using System.Security.Cryptography;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Fakes.Tsa;
using ReverseShellFunction.Infrastructure.Timestamp;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>The RFC 3161 client against OpenSSL's TSA: a token over the digest, and a reply to another request refused.</summary>
public sealed class TimestampClientTest
{
    [Fact]
    public async Task The_token_covers_the_digest_and_a_replayed_reply_is_refused()
    {
        await using var tsa = await OpenSslTsa.StartAsync();
        using var http = new HttpClient();
        var client = new Rfc3161TimestampClient(http, tsa.Url);
        var first = SHA256.HashData("first manifest"u8);

        var token = await client.StampAsync(first, CancellationToken.None);
        Assert.True(System.Security.Cryptography.Pkcs.Rfc3161TimestampToken.TryDecode(token.Der, out var decoded, out _));
        Assert.Equal(first, decoded!.TokenInfo.GetMessageHash().ToArray());
        Assert.InRange(token.Time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        tsa.ReplayPreviousReplyNext();
        var error = await Assert.ThrowsAsync<TimestampException>(() => client.StampAsync(SHA256.HashData("second manifest"u8), CancellationToken.None));
        Assert.StartsWith("the TSA's answer was refused", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(256 * 1024, "the TSA's answer was refused")]
    [InlineData((256 * 1024) + 1, "the TSA's answer is larger than 262144 bytes")]
    public async Task An_answer_past_the_size_limit_is_refused_at_once_without_a_retry(int size, string expected)
    {
        var tsa = new FixedAnswer(new byte[size]);
        using var http = new HttpClient(tsa);
        var client = new Rfc3161TimestampClient(http, new Uri("http://127.0.0.1:9/tsa"));

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.StampAsync(SHA256.HashData("manifest"u8), CancellationToken.None));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, tsa.Requests);
    }

    /// <summary>A TSA that answers every request 200 with the same bytes, counting the requests.</summary>
    private sealed class FixedAnswer(byte[] answer) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(answer) });
        }
    }
}
