namespace ReverseShellFunction.Collection;

/// <summary>
/// Where collectors put their files. Each file is streamed to disk, never held whole in memory; the bundle is
/// built from what was written, so whatever was written before a deadline is kept.
/// </summary>
public interface IEvidenceWriter
{
    /// <summary>Creates a new file at a bundle-relative path such as <c>logs/container.jsonl</c>.</summary>
    /// <exception cref="ArgumentException">The path is not a safe relative path, or already exists.</exception>
    Stream CreateFile(string relativePath);
}
