using System.Diagnostics;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Robustness;

/// <summary>kill -9 skips every cleanup: what a dead writer left is swept when a writer starts, and only that.</summary>
public sealed class StaleTemporariesTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void EvidenceFolder_TemporaryOfADeadProcess_IsSwept_OneOfALiveProcessIsKept()
    {
        var dead = DeadPid();
        var day = Path.Combine(_folder.Path, "bundles", "2026", "11", "28");
        Directory.CreateDirectory(day);
        var stale = Path.Combine(day, $"{BundleLayout.TemporaryPrefix}{dead}-0011");
        var live = Path.Combine(day, $"{BundleLayout.TemporaryPrefix}{Environment.ProcessId}-0022");
        File.WriteAllText(stale, "half a bundle");
        File.WriteAllText(live, "being written");

        var removed = new LocalEvidenceStore(_folder.Path).SweepStaleTemporaries();

        Assert.Equal([$"bundles/2026/11/28/{BundleLayout.TemporaryPrefix}{dead}-0011"], removed);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public void TempFolder_StagingAndSpoolsOfADeadProcess_AreSwept_OthersKept()
    {
        var dead = DeadPid();
        var staging = Directory.CreateDirectory(Path.Combine(_folder.Path, $"rsf-staging-{dead}-aa")).FullName;
        File.WriteAllText(Path.Combine(staging, "notification.json"), "{}");
        var spool = Path.Combine(_folder.Path, $"rsf-spool-{dead}-bb.zip");
        File.WriteAllText(spool, "zip");
        var mine = Directory.CreateDirectory(Path.Combine(_folder.Path, $"rsf-staging-{Environment.ProcessId}-cc")).FullName;
        var foreign = Directory.CreateDirectory(Path.Combine(_folder.Path, "other-program-dd")).FullName;

        var removed = StaleTemporaries.SweepTempFolder(_folder.Path);

        Assert.Equal(2, removed);
        Assert.False(Directory.Exists(staging));
        Assert.False(File.Exists(spool));
        Assert.True(Directory.Exists(mine));
        Assert.True(Directory.Exists(foreign));
    }

    [Fact]
    public void TempFolder_BundleZipOfADeadProcess_IsSwept_AnOldUnnamedOneToo_ALiveOneKept()
    {
        var dead = DeadPid();
        var stale = Path.Combine(_folder.Path, $"{ReverseShellFunction.Bundle.BundleWriter.ZipPrefix}{dead}-ee.zip");
        var legacy = Path.Combine(_folder.Path, $"{ReverseShellFunction.Bundle.BundleWriter.ZipPrefix}{Guid.NewGuid():N}.zip");
        var live = Path.Combine(_folder.Path, $"{ReverseShellFunction.Bundle.BundleWriter.ZipPrefix}{Environment.ProcessId}-ff.zip");
        foreach (var path in new[] { stale, legacy, live })
        {
            File.WriteAllText(path, "a bundle zip left by kill -9");
        }

        // Before zips carried their writer's pid, only age can tell: older than StaleTemporaries.MaxAge.
        File.SetLastWriteTimeUtc(legacy, DateTime.UtcNow - StaleTemporaries.MaxAge - TimeSpan.FromMinutes(1));

        var removed = StaleTemporaries.SweepTempFolder(_folder.Path);

        Assert.Equal(2, removed);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(legacy));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public void OldTemporary_IsStale_EvenIfItsPidRunsAgain()
    {
        Assert.True(StaleTemporaries.IsStale($"rsf-staging-{Environment.ProcessId + 0}-x", "rsf-staging-", DateTime.UtcNow - TimeSpan.FromDays(2)));
        Assert.False(StaleTemporaries.IsStale($"rsf-staging-{Environment.ProcessId}-x", "rsf-staging-", DateTime.UtcNow));
    }

    /// <summary>The pid of a process that has exited.</summary>
    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
