using System.Text.RegularExpressions;

namespace ReverseShellFunction.Infrastructure.Kms;

/// <summary>
/// A Cloud KMS key version's full resource name,
/// <c>projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N</c>. Checked once, so the name can be
/// put into a request path safely and its crypto key compared.
/// </summary>
internal static partial class KmsKeyVersionName
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    /// <summary>The crypto key a version belongs to: everything before <c>/cryptoKeyVersions/</c>.</summary>
    public static string CryptoKeyOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.IndexOf("/cryptoKeyVersions/", StringComparison.Ordinal);
        return at < 0 ? name : name[..at];
    }

    [GeneratedRegex("^projects/[a-z0-9][a-z0-9.:-]{0,62}/locations/[a-z0-9-]{1,63}/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}/cryptoKeyVersions/[0-9]{1,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex("^projects/[a-z0-9][a-z0-9.:-]{0,62}/locations/[a-z0-9-]{1,63}/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    public static bool IsValidKey(string? name) => name is not null && KeyPattern().IsMatch(name);
}
