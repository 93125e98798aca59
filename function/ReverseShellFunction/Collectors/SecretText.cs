using System.Text.RegularExpressions;

namespace ReverseShellFunction.Collectors;

/// <summary>
/// What looks like a secret inside a string, by shape (a JWT, a private key, a bearer token, a password in a URL,
/// well-known key and token formats) or by the name it is assigned to (<c>--password=…</c>, <c>DB_TOKEN=…</c>,
/// <c>api_key: …</c>, <c>?access_token=…</c>). The strings come from whoever deployed the workload, possibly the
/// attacker, so every expression runs without backtracking: time linear in the length, whatever the text.
/// </summary>
public static class SecretText
{
    /// <summary>More matches than this in one string: the whole string is redacted as one.</summary>
    public const int MaxSecretsPerString = 16;

    /// <summary>A secret part of a string: where it is and which rule found it.</summary>
    public readonly record struct Span(int Start, int Length, string Reason);

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // Group 1 is the secret; what is around it (the flag, the scheme, "Bearer ") stays readable.
    private static readonly (Regex Pattern, string Reason)[] s_shapes =
    [
        (new(@"(-----BEGIN[ A-Z0-9]*PRIVATE KEY-----[\s\S]*?-----END[ A-Z0-9]*PRIVATE KEY-----)", Options), "private-key"),
        // A key cut short (a truncated argument) is still a key: to the end of the string.
        (new(@"(-----BEGIN[ A-Z0-9]*PRIVATE KEY-----[\s\S]*)", Options), "private-key"),
        (new(@"(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)", Options), "jwt"),
        (new(@"(?:bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})", Options | RegexOptions.IgnoreCase), "bearer-token"),
        (new(@"(ya29\.[A-Za-z0-9_-]{16,}|1//0[A-Za-z0-9_-]{16,})", Options), "google-oauth-token"),
        (new(@"(AIza[A-Za-z0-9_-]{35})", Options), "google-api-key"),
        (new(@"((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16})", Options), "aws-key-id"),
        (new(@"((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,})", Options), "git-token"),
        (new(@"(xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36})", Options), "api-token"),
    ];

    // NAME=VALUE, NAME: VALUE, "NAME": "VALUE", --NAME=VALUE; the name decides (IsSecretName), group 2, 3 or 4 is the value.
    private static readonly Regex s_assignment = new(
        @"([A-Za-z_][A-Za-z0-9_.-]*)[""']?[ \t]*[=:][ \t]*(?:""([^""]*)""|'([^']*)'|([^\s""'&;,}\]]+))", Options);

    private static readonly Regex s_flag = new(@"^--?[A-Za-z][A-Za-z0-9_.-]*$", Options);

    // Whole words of a name that mark it secret; "key" and "auth" alone are words, never substrings ("keyspace", "author").
    private static readonly HashSet<string> s_secretWords = new(StringComparer.Ordinal)
    {
        "password", "passwd", "pwd", "pass", "passphrase", "secret", "secrets", "token", "tokens", "key", "keys", "apikey",
        "credential", "credentials", "cred", "creds", "auth", "authorization", "cookie", "jwt", "bearer", "privatekey",
        "accesskey", "secretkey", "authtoken", "sessiontoken", "dsn",
    };

    // Longer fragments that mark a name secret even run together with others ("dbpassword", "authtoken", "clientsecret").
    private static readonly string[] s_secretFragments = ["password", "passwd", "secret", "token", "apikey", "credential", "privatekey"];

    // A name ending in one of these names a secret but does not hold one: SECRET_NAME, --key-file, TOKEN_URL, secretKeyRef.
    private static readonly HashSet<string> s_pointerWords = new(StringComparer.Ordinal)
    {
        "file", "path", "dir", "name", "id", "ref", "version", "url", "uri", "env", "type", "length", "size", "ttl", "count",
        "header", "location", "mount", "algorithm", "source", "format", "mode", "kind",
    };

    private static readonly HashSet<string> s_authSchemes = new(StringComparer.OrdinalIgnoreCase) { "bearer", "basic", "token", "digest" };

    /// <summary>Whether a variable, header, flag or annotation name says its value is a secret.</summary>
    public static bool IsSecretName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var words = Words(name);
        if (words.Count == 0 || s_pointerWords.Contains(words[^1]))
        {
            return false;
        }

        return words.Any(w => s_secretWords.Contains(w) || s_secretFragments.Any(f => w.Contains(f, StringComparison.Ordinal)));
    }

    /// <summary>A bare flag (<c>--password</c>, <c>-token</c>) whose next argument is its value.</summary>
    public static bool IsSecretFlag(string argument) =>
        argument is not null && argument.Length <= 128 && s_flag.IsMatch(argument) && IsSecretName(argument.TrimStart('-'));

    /// <summary>The secret parts of <paramref name="text"/>, in order and not overlapping.</summary>
    public static IReadOnlyList<Span> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<Span>();
        foreach (var (pattern, reason) in s_shapes)
        {
            foreach (Match match in pattern.Matches(text))
            {
                Add(found, match.Groups[1], reason);
            }
        }

        UrlPasswords(text, found);
        foreach (Match match in s_assignment.Matches(text))
        {
            var value = match.Groups[2].Success ? match.Groups[2] : match.Groups[3].Success ? match.Groups[3] : match.Groups[4];
            if (IsSecretName(match.Groups[1].Value) && !s_authSchemes.Contains(value.Value))
            {
                Add(found, value, "secret-name");
            }
        }

        // Earliest first, the longest of those that start together; a span inside one already taken adds nothing.
        // Stable, so at a tie the shape (found first) names the reason rather than the assignment.
        var ordered = found.OrderBy(s => s.Start).ThenByDescending(s => s.Length);
        var kept = new List<Span>(found.Count);
        var end = 0;
        foreach (var span in ordered)
        {
            if (span.Start >= end)
            {
                kept.Add(span);
                end = span.Start + span.Length;
            }
            else if (span.Start + span.Length > end)
            {
                // Overlapping: widen the kept span, so nothing of either secret stays.
                var last = kept[^1];
                end = span.Start + span.Length;
                kept[^1] = last with { Length = end - last.Start };
            }
        }

        return kept;
    }

    /// <summary>
    /// The password of <c>scheme://user:password@host</c>: scanned by hand, since an expression that captures it
    /// takes quadratic time on a long run of colons even without backtracking.
    /// </summary>
    private static void UrlPasswords(string text, List<Span> found)
    {
        for (var at = text.IndexOf("://", StringComparison.Ordinal); at >= 0; at = text.IndexOf("://", at + 3, StringComparison.Ordinal))
        {
            var start = at + 3;
            var end = start;
            while (end < text.Length && text[end] is not ('/' or '?' or '#' or '@') && !char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            // The authority's userinfo ends at its first '@'; its password starts after the userinfo's first ':'.
            if (end < text.Length && text[end] == '@')
            {
                var colon = text.IndexOf(':', start, end - start);
                if (colon >= 0 && colon + 1 < end)
                {
                    found.Add(new Span(colon + 1, end - colon - 1, "url-password"));
                }
            }
        }
    }

    private static void Add(List<Span> found, Group group, string reason)
    {
        if (group.Success && group.Length > 0)
        {
            found.Add(new Span(group.Index, group.Length, reason));
        }
    }

    /// <summary>Lower-case words of a name: split at anything not a letter or digit and at camelCase humps.</summary>
    private static List<string> Words(string name)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length && i < 256; i++)
        {
            var c = name[i];
            if (!char.IsAsciiLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            if (char.IsAsciiLetterUpper(c) && i > 0 && char.IsAsciiLetterLower(name[i - 1]))
            {
                Flush();
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
