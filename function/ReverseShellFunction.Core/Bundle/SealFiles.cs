namespace ReverseShellFunction.Bundle;

/// <summary>
/// The entries that seal a bundle part. They sit beside manifest.json in the zip and are deliberately not
/// listed in it: each is computed from the manifest's exact bytes, so the manifest cannot name them.
/// </summary>
public static class SealFiles
{
    /// <summary>DER ECDSA signature over SHA-256(manifest.json): <c>openssl dgst -sha256 -verify</c> checks it.</summary>
    public const string Signature = "manifest.sig";

    /// <summary>RFC 3161 timestamp token (CMS SignedData) over SHA-256(manifest.json): <c>openssl ts -verify -token_in</c>.</summary>
    public const string Timestamp = "manifest.tsr";

    /// <summary>DSSE envelope holding an in-toto Statement v1 whose subjects are manifest.json and every file it lists.</summary>
    public const string Envelope = "manifest.dsse.json";

    /// <summary>What was sealed, by which key, and how the timestamp request went (also in the index entry).</summary>
    public const string Record = "manifest.seal.json";

    /// <summary>Each seal entry is a few KiB; anything larger is not ours.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static IReadOnlyList<string> All { get; } = [Signature, Timestamp, Envelope, Record];

    public static bool IsSealFile(string path) => All.Contains(path, StringComparer.Ordinal);
}
