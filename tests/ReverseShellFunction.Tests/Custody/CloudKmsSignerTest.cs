using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Collect.GoogleApis;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Fakes.GoogleApis;
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
    public async Task A_signature_damaged_on_the_way_is_refused_by_its_CRC32C()
    {
        _fake.Kms.CorruptNextSignature();
        var error = await Assert.ThrowsAsync<SigningException>(() => Signer().SignDigestAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.Contains("CRC32C does not match", error.Message, StringComparison.Ordinal);
    }
}
