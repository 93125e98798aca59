using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Tells people about a part once its index entry is written: the bundle notification, and the security marks on
/// its finding when findings are marked. The evidence is safe by then, so a failure is logged, never thrown.
/// </summary>
internal sealed class PartAnnouncer(IEvidenceStore store, IBundleNotifier notifier, IFindingMarker? marker, ILogger logger)
{
    /// <summary>Whether findings get security marks, so SCC notifies again about our own update.</summary>
    public bool MarksFindings => marker is not null;

    public async Task AnnounceAsync(IndexEntry entry, CancellationToken cancellationToken)
    {
        var notification = BundleNotification.For(entry, store.Location);
        try
        {
            await notifier.NotifyAsync(notification, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Bundle {BundleId} is stored, but the notification about it could not be sent: {Problem}", entry.Summary.BundleId, ex.Message);
        }

        if (marker is null)
        {
            return;
        }

        try
        {
            await marker.MarkAsync(FindingMark.For(entry.Summary.Finding.Name, notification, entry.Summary.Resource?.ProjectNumber), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Bundle {BundleId} is stored, but the security marks on its finding could not be written: {Problem}", entry.Summary.BundleId, ex.Message);
        }
    }
}
