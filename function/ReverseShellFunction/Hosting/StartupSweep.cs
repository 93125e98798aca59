using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// What a writer does when it starts: remove what killed writers left (temporary files in the evidence folder,
/// staging folders and spools in TMPDIR). Readers never sweep, so <c>verify</c> still reports such files.
/// </summary>
internal static class StartupSweep
{
    public static void Run(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupSweep).FullName!);
        var removed = services.GetRequiredService<IEvidenceStore>() is LocalEvidenceStore local ? local.SweepStaleTemporaries() : [];
        var temp = StaleTemporaries.SweepTempFolder();
        if (removed.Count > 0 || temp > 0)
        {
            logger.LogWarning(
                "Removed what interrupted writers left: {StoreTemporaries} temporary file(s) in the evidence folder, {TempEntries} staging folder(s) or spool(s) in {TempFolder}",
                removed.Count,
                temp,
                Path.GetTempPath());
        }
    }
}
