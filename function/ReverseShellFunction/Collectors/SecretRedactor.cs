using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Collectors;

/// <summary>
/// Removes secrets from an API document (Cloud Run configuration, an admin audit entry) before it is stored.
/// Whoever deployed the service chose these strings, and that may be the attacker; teams put passwords in env
/// values, container <c>args</c> and probe headers. Three rules, applied wherever they match so a new place in a
/// future API version is covered too:
/// <list type="bullet">
/// <item>Every string <c>value</c> of an object inside any <c>env</c> array, whatever it looks like (the
/// <c>name</c> and a <c>valueSource.secretKeyRef</c> stay).</item>
/// <item>By name: the string <c>value</c> of any other <c>{"name", "value"}</c> object (probe
/// <c>httpHeaders</c>) and any <c>annotations</c> value whose name says secret (<see cref="SecretText.IsSecretName"/>);
/// in <c>args</c> and <c>command</c>, the element after a bare flag such as <c>--password</c>.</item>
/// <item>By shape, inside every other string: only the secret part is replaced (<see cref="SecretText"/>), so
/// <c>sh -c "curl -H 'Authorization: Bearer …' …"</c> keeps its command.</item>
/// </list>
/// A whole value becomes <c>{"redacted": true, "reason": …, "hmacSha256": …}</c>; a part of a string becomes
/// <c>[redacted REASON hmacSha256=…]</c>. The fingerprint is keyed (a plain hash of a short password is
/// reversed by guessing) and present only when a deployment key is configured.
/// </summary>
/// <param name="key">HMAC-SHA256 key for fingerprints; null stores no fingerprint.</param>
public sealed class SecretRedactor(byte[]? key)
{
    /// <summary>Redacts in place and says what was removed, with <paramref name="location"/> prefixed to each JSON path.</summary>
    public IReadOnlyList<Redaction> Redact(JsonNode? root, string file, string location = "$")
    {
        var redactions = new List<Redaction>();
        Walk(root, location, member: null, inEnv: false, file, redactions);
        return redactions;
    }

    private void Walk(JsonNode? node, string path, string? member, bool inEnv, string file, List<Redaction> redactions)
    {
        switch (node)
        {
            case JsonObject obj:
                WalkObject(obj, path, member, inEnv, file, redactions);
                break;
            case JsonArray array:
                var argv = member is "args" or "command";
                for (var i = 0; i < array.Count; i++)
                {
                    var itemPath = $"{path}[{i}]";
                    if (!IsString(array[i], out var text))
                    {
                        Walk(array[i], itemPath, member, inEnv, file, redactions);
                    }
                    else if (argv && i > 0 && IsString(array[i - 1], out var flag) && SecretText.IsSecretFlag(flag) && !text.StartsWith('-'))
                    {
                        // `--password hunter2`: the value is a separate element, and says nothing about itself.
                        array[i] = JsonValue.Create(Inline(text, "after-secret-flag", file, itemPath, redactions));
                    }
                    else if (Scrub(text, file, itemPath, redactions) is { } scrubbed)
                    {
                        array[i] = JsonValue.Create(scrubbed);
                    }
                }

                break;
        }
    }

    private void WalkObject(JsonObject obj, string path, string? member, bool inEnv, string file, List<Redaction> redactions)
    {
        var pairName = obj["name"] is JsonValue name && name.TryGetValue<string>(out var n) ? n : null;
        var redactedValue = false;
        if (IsString(obj["value"], out var value))
        {
            var reason = inEnv ? "env-value" : pairName is not null && SecretText.IsSecretName(pairName) ? "secret-name" : null;
            if (reason is not null)
            {
                obj["value"] = Whole(value, reason, file, path + ".value", redactions);
                redactedValue = true;
            }
        }

        foreach (var (childName, child) in obj.ToList())
        {
            var childPath = $"{path}.{childName}";
            if (redactedValue && childName == "value")
            {
                continue;
            }

            if (!IsString(child, out var text))
            {
                Walk(child, childPath, childName, childName == "env" && child is JsonArray, file, redactions);
            }
            else if (member == "annotations" && SecretText.IsSecretName(childName))
            {
                obj[childName] = Whole(text, "secret-name", file, childPath, redactions);
            }
            else if (Scrub(text, file, childPath, redactions) is { } scrubbed)
            {
                obj[childName] = JsonValue.Create(scrubbed);
            }
        }
    }

    /// <summary>The string with its secret parts replaced, or null when it holds none.</summary>
    private string? Scrub(string text, string file, string path, List<Redaction> redactions)
    {
        var found = SecretText.Find(text);
        if (found.Count == 0)
        {
            return null;
        }

        if (found.Count > SecretText.MaxSecretsPerString)
        {
            // One marker, not thousands of manifest lines: a string this full of secrets is not kept in part.
            return Inline(text, "many-secrets", file, path, redactions);
        }

        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var secret in found)
        {
            result.Append(text, at, secret.Start - at);
            result.Append(Inline(text.Substring(secret.Start, secret.Length), secret.Reason, file, path, redactions));
            at = secret.Start + secret.Length;
        }

        return result.Append(text, at, text.Length - at).ToString();
    }

    private JsonObject Whole(string secret, string reason, string file, string location, List<Redaction> redactions)
    {
        var hmac = Fingerprint(secret);
        redactions.Add(new Redaction(file, location, hmac) { Reason = reason });
        var marker = new JsonObject { ["redacted"] = true, ["reason"] = reason };
        if (hmac is not null)
        {
            marker["hmacSha256"] = hmac;
        }

        return marker;
    }

    private string Inline(string secret, string reason, string file, string location, List<Redaction> redactions)
    {
        var hmac = Fingerprint(secret);
        redactions.Add(new Redaction(file, location, hmac) { Reason = reason });
        return hmac is null ? $"[redacted {reason}]" : $"[redacted {reason} hmacSha256={hmac}]";
    }

    private string? Fingerprint(string secret) =>
        key is null ? null : Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(secret)));

    private static bool IsString(JsonNode? node, out string text)
    {
        if (node is JsonValue value && value.TryGetValue<string>(out var s))
        {
            text = s;
            return true;
        }

        text = "";
        return false;
    }
}
