using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Kms;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>The Cloud KMS adapter against the KMS fake: request shape, retries, error bodies, integrity of answers.</summary>
public sealed class CloudKmsSignerTest : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private FakeGoogleApis _fake = null!;
    private RecordedDelays _delays = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeGoogleApis.StartAsync();
        _delays = new RecordedDelays();
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private CloudKmsSigner Signer(string version = FakeKms.DefaultKeyVersion)
    {
        var client = new GoogleApiClient(_http, new FixedTokenSource(_fake.AccessToken), _delays.Policy(TimeSpan.FromSeconds(5)), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        return new CloudKmsSigner(new CloudKmsApi(client, _fake.BaseUri.ToString().TrimEnd('/')), version);
    }

    [Fact]
    public async Task Signs_the_digest_with_the_key_version_and_the_signature_verifies_with_its_public_key()
    {
        var digest = SHA256.HashData("manifest"u8);
        var signature = await Signer().SignDigestAsync(digest, CancellationToken.None);

        Assert.Equal(FakeKms.DefaultKeyVersion, signature.KeyId);
        using var key = EcKeys.ImportPublicPem(_fake.Kms.PublicKeyPem(), "test");
        Assert.True(key.VerifyHash(digest, signature.Der, DSASignatureFormat.Rfc3279DerSequence));
        var request = Assert.Single(_fake.Requests, r => r.Api == FakeApi.Kms);
        Assert.Equal("/v1/" + FakeKms.DefaultKeyVersion + ":asymmetricSign", request.Path);
        Assert.Contains("\"digestCrc32c\"", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_is_retried_and_then_succeeds()
    {
        _fake.Faults.Add(FakeApi.Kms, FakeFault.Unavailable(), times: 2);
        var signature = await Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None);
        Assert.NotEmpty(signature.Der);
        Assert.Equal(3, _fake.CountRequests(FakeApi.Kms));
        Assert.Equal(2, _delays.Delays.Count);
    }

    [Fact]
    public async Task A_disabled_or_unknown_version_fails_at_once_with_Google_s_words()
    {
        _fake.Kms.Disable(FakeKms.DefaultKeyVersion);
        var disabled = await Assert.ThrowsAsync<SigningException>(() => Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("400 FAILED_PRECONDITION", disabled.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<SigningException>(() => Signer(FakeKms.DefaultKeyVersion[..^1] + "7").SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("404 NOT_FOUND", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(_delays.Delays);
    }

    [Fact]
    public async Task A_signature_damaged_once_is_discarded_and_signed_again()
    {
        _fake.Kms.CorruptNextSignature();
        var digest = SHA256.HashData("x"u8);
        var signature = await Signer().SignDigestAsync(digest, CancellationToken.None);
        using var key = EcKeys.ImportPublicPem(_fake.Kms.PublicKeyPem(), "test");
        Assert.True(key.VerifyHash(digest, signature.Der, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal(2, _fake.CountRequests(FakeApi.Kms));
    }

    [Fact]
    public async Task A_signature_damaged_on_every_attempt_is_not_trusted_after_a_bounded_number_of_calls()
    {
        _fake.Kms.CorruptNextSignature(times: 10);
        var error = await Assert.ThrowsAsync<SigningException>(() => Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("signature not trusted after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("CRC32C does not match", error.Message, StringComparison.Ordinal);
        Assert.Equal(CloudKmsSigner.IntegrityAttempts, _fake.CountRequests(FakeApi.Kms));
    }

    [Fact]
    public async Task An_answer_without_verifiedDigestCrc32c_is_not_trusted()
    {
        // As the real API answers when the checksum did not arrive: the false bool is left out of the JSON.
        _fake.Kms.LoseNextDigestChecksums(10);
        var error = await Assert.ThrowsAsync<SigningException>(() => Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("signature not trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains("verifiedDigestCrc32c", error.Message, StringComparison.Ordinal);
        Assert.Equal(CloudKmsSigner.IntegrityAttempts, _fake.CountRequests(FakeApi.Kms));
    }

    [Fact]
    public async Task The_fake_leaves_a_false_verifiedDigestCrc32c_out_as_the_proto3_JSON_mapping_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_fake.BaseUri, "v1/" + FakeKms.DefaultKeyVersion + ":asymmetricSign"))
        {
            Content = new StringContent(JsonSerializer.Serialize(new { digest = new { sha256 = Convert.ToBase64String(SHA256.HashData("x"u8)) } }), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", _fake.AccessToken);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Contains("\"signatureCrc32c\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("verifiedDigestCrc32c", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signatureCrc32c", "signatureCrc32c")]
    [InlineData("name", "does not name the key version")]
    public async Task An_answer_missing_an_integrity_field_is_not_trusted(string field, string expected)
    {
        _fake.Kms.TamperNextSignAnswers(10, answer => answer.Remove(field));
        var error = await Assert.ThrowsAsync<SigningException>(() => Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("signature not trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_naming_another_key_version_is_not_trusted()
    {
        _fake.Kms.TamperNextSignAnswers(10, answer => answer["name"] = FakeKms.DefaultKeyVersion[..^1] + "2");
        var error = await Assert.ThrowsAsync<SigningException>(() => Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("not the requested", error.Message, StringComparison.Ordinal);
    }
}
