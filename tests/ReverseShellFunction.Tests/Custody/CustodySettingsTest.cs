using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.Signing;
using ReverseShellFunction.Infrastructure.Timestamp;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>Custody settings fail at start with a message naming the variable; the local signer and TSA client refuse what they cannot use.</summary>
public sealed class CustodySettingsTest
{
    private static FunctionSettings From(params (string Name, string Value)[] variables) =>
        FunctionSettings.From(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Nothing_set_means_unsigned_and_no_TSA()
    {
        var settings = From();
        Assert.Null(settings.Custody.KmsKeyVersion);
        Assert.Null(settings.Custody.SigningKeyFile);
        Assert.Null(settings.Custody.TsaUrl);
        Assert.Equal("https://cloudkms.googleapis.com", settings.Custody.KmsEndpoint);
    }

    [Theory]
    [InlineData("projects/p/locations/l/keyRings/r/cryptoKeys/k")]
    [InlineData("projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1/../../x")]
    [InlineData("cryptoKeyVersions/1")]
    public void A_KMS_key_version_that_is_not_a_full_version_name_is_refused(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(("KMS_KEY_VERSION", value)));
        Assert.StartsWith("KMS_KEY_VERSION must be a key version's full name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KMS_and_a_local_key_together_are_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(
            ("KMS_KEY_VERSION", "projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"), ("SIGNING_KEY_FILE", "/k.pem")));
        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://tsa.example.com")]
    [InlineData("tsa.example.com")]
    public void A_TSA_URL_that_is_not_http_is_refused(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(("TSA_URL", value)));
        Assert.StartsWith("TSA_URL must be an http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_signer_refuses_a_public_key_a_missing_file_and_another_curve()
    {
        using var folder = new TempFolder();
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicOnly = Path.Combine(folder.Path, "public.pem");
        File.WriteAllText(publicOnly, p256.ExportSubjectPublicKeyInfoPem());
        Assert.Contains("SIGNING_KEY_FILE", Assert.Throws<InvalidOperationException>(() => PemManifestSigner.FromFile(publicOnly)).Message, StringComparison.Ordinal);
        Assert.Contains("could not be read", Assert.Throws<InvalidOperationException>(() => PemManifestSigner.FromFile(Path.Combine(folder.Path, "absent.pem"))).Message, StringComparison.Ordinal);

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var otherCurve = Path.Combine(folder.Path, "p384.pem");
        File.WriteAllText(otherCurve, p384.ExportECPrivateKeyPem());
        Assert.Contains("not an ECDSA P-256 key", Assert.Throws<InvalidOperationException>(() => PemManifestSigner.FromFile(otherCurve)).Message, StringComparison.Ordinal);

        var good = Path.Combine(folder.Path, "good.pem");
        File.WriteAllText(good, p256.ExportPkcs8PrivateKeyPem());
        using var signer = PemManifestSigner.FromFile(good);
        Assert.Equal("local:sha256:" + Convert.ToHexStringLower(SHA256.HashData(p256.ExportSubjectPublicKeyInfo())), signer.KeyId);
    }

    [Fact]
    public async Task An_unreachable_TSA_fails_with_the_reason_after_two_attempts()
    {
        // A port that was free a moment ago: connection refused.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var http = new HttpClient();
        var client = new Rfc3161TimestampClient(http, new Uri($"http://127.0.0.1:{port}/tsa"), TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.StampAsync(SHA256.HashData("x"u8), CancellationToken.None));
        Assert.StartsWith("could not reach the TSA", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(after 2 attempts)", error.Message, StringComparison.Ordinal);
    }
}
