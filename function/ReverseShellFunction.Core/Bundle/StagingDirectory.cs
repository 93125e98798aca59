using System.Collections.Concurrent;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// A private temporary folder that holds a bundle's files while they are collected. Files go to disk as they
/// are written, so a large log never sits in memory; the folder is deleted on dispose.
/// </summary>
public sealed class StagingDirectory : IEvidenceWriter, IDisposable
{
    private readonly ConcurrentDictionary<string, byte> _files = new(StringComparer.Ordinal);

    public StagingDirectory(string? parent = null)
    {
        Root = Path.Combine(parent ?? Path.GetTempPath(), StaleTemporaries.Name(Prefix));
        Directory.CreateDirectory(Root);
    }

    /// <summary>Staging folders are named <c>rsf-staging-PID-random</c>, so a restart can sweep a killed process's.</summary>
    public const string Prefix = "rsf-staging-";

    public string Root { get; }

    /// <summary>Every file written so far, in ordinal order: the bundle's entry order.</summary>
    public IReadOnlyList<string> Files => [.. _files.Keys.Order(StringComparer.Ordinal)];

    public Stream CreateFile(string relativePath)
    {
        BundlePaths.EnsureSafe(relativePath);
        if (!_files.TryAdd(relativePath, 0))
        {
            throw new ArgumentException($"The bundle already has a file '{relativePath}'.", nameof(relativePath));
        }

        var fullPath = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        return new FileStream(fullPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }

    public async Task WriteAllBytesAsync(string relativePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var stream = CreateFile(relativePath);
        await stream.WriteAsync(content, cancellationToken);
    }

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a cancelled collector: the OS temp cleaner gets it later.
        }
    }
}
