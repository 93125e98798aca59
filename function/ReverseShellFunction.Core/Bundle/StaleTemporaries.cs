using System.Diagnostics;
using System.Globalization;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// Names temporary files and folders after the process that owns them (<c>prefix-PID-random</c>), so a later
/// process can tell the leftovers of a killed writer from the work of a live one and remove only those.
/// </summary>
public static class StaleTemporaries
{
    /// <summary>Age after which a temporary is stale even if a process with its pid runs (the pid was reused).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(1);

    /// <summary>What this program puts in the system temporary folder: staging folders, bundle zips, verify and download spools.</summary>
    public static readonly IReadOnlyList<string> TempFolderPrefixes = ["rsf-staging-", "rsf-bundle-", "rsf-spool-", "rsf-gcs-"];

    /// <summary>
    /// Deletes what killed processes of this program left in the temporary folder (kill -9 skips every
    /// cleanup; 14 kills once left 532 MB); returns how many were removed. Writers call it when they start.
    /// </summary>
    public static int SweepTempFolder(string? parent = null)
    {
        var root = parent ?? Path.GetTempPath();
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var prefix in TempFolderPrefixes)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(root, prefix + "*"))
            {
                if (IsStale(Path.GetFileName(path), prefix, Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path)) && TryDelete(path))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    public static string Name(string prefix) =>
        $"{prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";

    public static bool IsStale(string name, string prefix, DateTime lastWriteUtc)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (DateTime.UtcNow - lastWriteUtc > MaxAge)
        {
            return true;
        }

        var rest = name.AsSpan(prefix.Length);
        var dash = rest.IndexOf('-');
        if (dash <= 0 || !int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            // An older name without a pid: only its age can say.
            return false;
        }

        return pid != Environment.ProcessId && !IsRunning(pid);
    }

    public static bool TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
