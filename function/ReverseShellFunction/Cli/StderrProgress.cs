using System.Globalization;
using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Cli;

/// <summary>
/// Progress lines on stderr for transfers larger than <see cref="Threshold"/>, one per tenth, so stdout stays
/// clean for the result. Synchronous on purpose: <see cref="Progress{T}"/> would post lines out of order.
/// </summary>
internal sealed class StderrProgress(TextWriter error) : IProgress<TransferProgress>
{
    public const long Threshold = 10L * 1024 * 1024;

    private string? _phase;
    private long _lastTenth = -1;

    public void Report(TransferProgress value)
    {
        if (value.Total <= Threshold)
        {
            return;
        }

        if (value.Phase != _phase)
        {
            _phase = value.Phase;
            _lastTenth = -1;
        }

        var tenth = Math.Min(10, value.Done * 10 / value.Total);
        if (tenth == _lastTenth)
        {
            return;
        }

        _lastTenth = tenth;
        error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{value.Phase}: {tenth * 10,3}% ({value.Done / 1048576.0:0.0} of {value.Total / 1048576.0:0.0} MiB)"));
    }
}
