namespace ReverseShellFunction.Bundle;

/// <summary>A finished bundle on local disk, ready to store. Deleting it is the caller's job (see <see cref="Dispose"/>).</summary>
public sealed record BuiltBundle(BundleId Id, string FilePath, long Size, string Sha256, Manifest Manifest, EvidenceSummary Summary) : IDisposable
{
    /// <summary>How the manifest was sealed; null when no sealer ran.</summary>
    public SealRecord? Seal { get; init; }

    public void Dispose()
    {
        try
        {
            File.Delete(FilePath);
        }
        catch (IOException)
        {
            // Best effort: it lives in the temp folder.
        }
    }
}
