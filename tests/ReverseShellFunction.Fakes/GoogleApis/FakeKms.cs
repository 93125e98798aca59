using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// Cloud KMS v1 <c>cryptoKeyVersions.asymmetricSign</c> and <c>getPublicKey</c> for EC_SIGN_P256_SHA256 key
/// versions, each backed by a real ECDSA P-256 key, so signatures verify with openssl. Follows the documented
/// shapes: <c>{"digest":{"sha256"},"digestCrc32c"}</c> in, <c>{"signature","signatureCrc32c",
/// "verifiedDigestCrc32c","name","protectionLevel"}</c> out, with <c>verifiedDigestCrc32c</c> left out when false
/// (proto3 JSON omits default values; <c>signatureCrc32c</c> is an Int64Value wrapper, so it is always sent); 404 for an unknown version, 403 where the caller
/// lacks the permission, 400 FAILED_PRECONDITION for a disabled version, 400 INVALID_ARGUMENT for a bad digest or
/// checksum. Authorization is checked by <see cref="FakeGoogleApis"/> before a request gets here.
/// </summary>
public sealed class FakeKms
{
    public const string DefaultKeyVersion = "projects/evidence-project/locations/europe-west1/keyRings/evidence-custody/cryptoKeys/manifest-signing/cryptoKeyVersions/1";

    private readonly ConcurrentDictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _disabled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _denied = new(StringComparer.Ordinal);
    private int _signatures;
    private readonly ConcurrentQueue<Action<JsonObject>> _tamper = new();
    private int _corrupt;
    private int _lostChecksums;

    public FakeKms()
    {
        AddVersion(DefaultKeyVersion);
    }

    /// <summary>Signatures made so far.</summary>
    public int Signatures => Volatile.Read(ref _signatures);

    /// <summary>Adds a key version with a fresh key (e.g. a rotation: version 2 of the same key).</summary>
    public void AddVersion(string name) => _keys.TryAdd(name, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The version's public key, PEM (SubjectPublicKeyInfo), as getPublicKey returns it.</summary>
    public string PublicKeyPem(string name = DefaultKeyVersion) => _keys[name].ExportSubjectPublicKeyInfoPem() + "\n";

    public void Disable(string name) => _disabled[name] = 0;

    /// <summary>The next answers' signatures are damaged after their CRC32C was computed, as a corrupted transfer would be.</summary>
    public void CorruptNextSignature(int times = 1) => Interlocked.Add(ref _corrupt, times);

    /// <summary>
    /// The next <paramref name="times"/> asymmetricSign answers are changed by <paramref name="tamper"/> before they
    /// are sent (a field dropped or altered), as a faulty path or a misrouted call would deliver them.
    /// </summary>
    public void TamperNextSignAnswers(int times, Action<JsonObject> tamper)
    {
        ArgumentNullException.ThrowIfNull(tamper);
        for (var i = 0; i < times; i++)
        {
            _tamper.Enqueue(tamper);
        }
    }

    /// <summary>The next <paramref name="times"/> requests are treated as if their digestCrc32c never arrived.</summary>
    public void LoseNextDigestChecksums(int times) => Interlocked.Add(ref _lostChecksums, times);

    /// <summary>Requests for this version answer 403, as when the caller has no role on the key.</summary>
    public void Deny(string name) => _denied[name] = 0;

    internal static bool Claims(string path) => path.StartsWith("/v1/projects/", StringComparison.Ordinal) && path.Contains("/cryptoKeyVersions/", StringComparison.Ordinal);

    internal async Task HandleAsync(HttpContext context, string? body)
    {
        var path = Uri.UnescapeDataString(context.Request.Path.Value ?? "");
        if (HttpMethods.IsPost(context.Request.Method) && path.EndsWith(":asymmetricSign", StringComparison.Ordinal))
        {
            await SignAsync(context, path["/v1/".Length..^":asymmetricSign".Length], body ?? "");
        }
        else if (HttpMethods.IsGet(context.Request.Method) && path.EndsWith("/publicKey", StringComparison.Ordinal))
        {
            await PublicKeyAsync(context, path["/v1/".Length..^"/publicKey".Length]);
        }
        else
        {
            await FakeResponses.NotFoundAsync(context, path);
        }
    }

    private async Task<bool> RefuseAsync(HttpContext context, string name, string permission)
    {
        if (_denied.ContainsKey(name))
        {
            await FakeResponses.ErrorAsync(context, 403, "PERMISSION_DENIED", $"Permission '{permission}' denied on resource '{name}' (or it may not exist).");
            return true;
        }

        if (!_keys.ContainsKey(name))
        {
            await FakeResponses.ErrorAsync(context, 404, "NOT_FOUND", $"{name} not found.");
            return true;
        }

        if (_disabled.ContainsKey(name))
        {
            await FakeResponses.ErrorAsync(context, 400, "FAILED_PRECONDITION", $"{name} is not enabled, current state is: DISABLED.");
            return true;
        }

        return false;
    }

    private async Task SignAsync(HttpContext context, string name, string body)
    {
        if (await RefuseAsync(context, name, "cloudkms.cryptoKeyVersions.useToSign"))
        {
            return;
        }

        byte[] digest;
        string? digestCrc;
        try
        {
            using var request = JsonDocument.Parse(body);
            if (request.RootElement.TryGetProperty("data", out _))
            {
                await FakeResponses.InvalidArgumentAsync(context, "This fake only signs digests: send digest.sha256.");
                return;
            }

            digest = Convert.FromBase64String(request.RootElement.GetProperty("digest").GetProperty("sha256").GetString() ?? "");
            digestCrc = request.RootElement.TryGetProperty("digestCrc32c", out var crc) ? crc.GetString() : null;
            if (Interlocked.Decrement(ref _lostChecksums) >= 0)
            {
                digestCrc = null;
            }
            else
            {
                Interlocked.Exchange(ref _lostChecksums, 0);
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            await FakeResponses.InvalidArgumentAsync(context, $"Invalid JSON payload received. {ex.Message}");
            return;
        }

        if (digest.Length != 32)
        {
            await FakeResponses.InvalidArgumentAsync(context, $"The provided digest has length {digest.Length}, but the algorithm EC_SIGN_P256_SHA256 requires a SHA-256 digest of length 32.");
            return;
        }

        if (digestCrc is not null && digestCrc != FakeCrc32C.Compute(digest).ToString(CultureInfo.InvariantCulture))
        {
            await FakeResponses.InvalidArgumentAsync(context, "The checksum in field digest_crc32c did not match the data in field digest.");
            return;
        }

        var signature = _keys[name].SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
        Interlocked.Increment(ref _signatures);
        var signatureCrc = FakeCrc32C.Compute(signature).ToString(CultureInfo.InvariantCulture);
        if (Interlocked.Decrement(ref _corrupt) >= 0)
        {
            signature[^1] ^= 0x01;
        }
        else
        {
            Interlocked.Exchange(ref _corrupt, 0);
        }

        var answer = new JsonObject
        {
            ["signature"] = Convert.ToBase64String(signature),
            ["signatureCrc32c"] = signatureCrc,
            ["name"] = name,
            ["protectionLevel"] = "HSM",
        };

        // A plain proto3 bool: the JSON mapping leaves it out when false, as the real API does.
        if (digestCrc is not null)
        {
            answer["verifiedDigestCrc32c"] = true;
        }

        if (_tamper.TryDequeue(out var tamper))
        {
            tamper(answer);
        }

        await FakeResponses.JsonAsync(context, answer);
    }

    private async Task PublicKeyAsync(HttpContext context, string name)
    {
        if (await RefuseAsync(context, name, "cloudkms.cryptoKeyVersions.viewPublicKey"))
        {
            return;
        }

        var pem = PublicKeyPem(name);
        await FakeResponses.JsonAsync(context, new JsonObject
        {
            ["pem"] = pem,
            ["algorithm"] = "EC_SIGN_P256_SHA256",
            ["pemCrc32c"] = FakeCrc32C.Compute(Encoding.UTF8.GetBytes(pem)).ToString(CultureInfo.InvariantCulture),
            ["name"] = name,
            ["protectionLevel"] = "HSM",
        });
    }
}
