using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>What a fake OIDC id token says: the claims a receiver such as Cloud Run checks.</summary>
public sealed record FakeOidcClaims(string Issuer, string Audience, string Email, string Subject, DateTimeOffset IssuedAt, DateTimeOffset Expires);

/// <summary>
/// Google-shaped OIDC id tokens, as Cloud Tasks attaches them (<c>Authorization: Bearer …</c>): an RS256 JWT from
/// <c>https://accounts.google.com</c> with <c>aud</c>, <c>email</c>, <c>email_verified</c>, <c>sub</c>,
/// <c>azp</c>, <c>iat</c> and <c>exp</c> (one hour), signed with a key of this fake only, so a test can check
/// audience and identity and that the token is really the one the fake minted.
/// </summary>
public sealed class FakeOidcToken : IDisposable
{
    public const string Issuer = "https://accounts.google.com";

    private readonly RSA _key = RSA.Create(2048);
    private readonly string _keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public string Mint(string email, string audience, DateTimeOffset now)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = _keyId, ["typ"] = "JWT" };
        var subject = Subject(email);
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["azp"] = subject,
            ["email"] = email,
            ["email_verified"] = true,
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["sub"] = subject,
        };
        var signed = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url(signature)}";
    }

    /// <summary>The claims of a token this instance minted; null for anything else (bad shape, another key, altered).</summary>
    public FakeOidcClaims? Read(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var valid = _key.VerifyData(
                Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            if (!valid)
            {
                return null;
            }

            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            var root = payload.RootElement;
            return new FakeOidcClaims(
                root.GetProperty("iss").GetString()!,
                root.GetProperty("aud").GetString()!,
                root.GetProperty("email").GetString()!,
                root.GetProperty("sub").GetString()!,
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("iat").GetInt64()),
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public void Dispose() => _key.Dispose();

    // Google's subject is the account's numeric unique id; a stable number derived from the e-mail stands in for it.
    private static string Subject(string email) =>
        "1" + string.Concat(SHA256.HashData(Encoding.UTF8.GetBytes(email)).Take(10).Select(b => (b % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
