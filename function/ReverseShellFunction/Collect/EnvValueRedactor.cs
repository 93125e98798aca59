using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Collect;

/// <summary>
/// Removes literal environment variable values from an API document before it is stored. Cloud Run keeps
/// them in <c>containers[].env[].value</c> of services, revisions, jobs and executions, and admin audit logs
/// repeat them in request and response payloads; teams put passwords there. Any <c>env</c> array is treated
/// the same wherever it sits, so a new place in a future API version is redacted too. The name and a
/// <c>valueSource.secretKeyRef</c> (secret and version, no value) stay.
/// </summary>
public sealed class EnvValueRedactor
{
    private readonly byte[]? _key;

    /// <param name="key">HMAC-SHA256 key for fingerprints; null stores no fingerprint.</param>
    public EnvValueRedactor(byte[]? key) => _key = key;

    /// <summary>Redacts in place and says what was removed, with <paramref name="location"/> prefixed to each JSON path.</summary>
    public IReadOnlyList<Redaction> Redact(JsonNode? root, string file, string location = "$")
    {
        var redactions = new List<Redaction>();
        Walk(root, location, inEnv: false, file, redactions);
        return redactions;
    }

    private void Walk(JsonNode? node, string path, bool inEnv, string file, List<Redaction> redactions)
    {
        switch (node)
        {
            case JsonObject obj:
                if (inEnv && obj["value"] is JsonValue literal && literal.TryGetValue<string>(out var secret))
                {
                    var hmac = _key is null ? null : Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(secret)));
                    obj["value"] = Marker(hmac);
                    redactions.Add(new Redaction(file, path + ".value", hmac));
                }

                foreach (var (name, child) in obj.ToList())
                {
                    Walk(child, $"{path}.{name}", name == "env" && child is JsonArray, file, redactions);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], $"{path}[{i}]", inEnv, file, redactions);
                }

                break;
        }
    }

    private static JsonObject Marker(string? hmac)
    {
        var marker = new JsonObject { ["redacted"] = true };
        if (hmac is not null)
        {
            marker["hmacSha256"] = hmac;
        }

        return marker;
    }
}
