using System.Globalization;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>list</c>'s readable output: one row per index entry, columns padded to their widest cell. Every cell is
/// finding text, so control characters are replaced and long values cut, keeping the table one line per bundle.
/// </summary>
internal sealed class IndexTable
{
    private static readonly string[] s_headers = ["EVENT TIME (UTC)", "PROJECT", "SERVICE", "REMOTE", "BINARY", "COLLECTORS", "BUNDLE ID"];
    private static readonly int[] s_maxWidths = [23, 30, 40, 47, 48, 40, 80];

    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(IndexEntry entry)
    {
        var summary = entry.Summary;
        var process = summary.Processes.Count > 0 ? summary.Processes[0] : null;
        string[] cells =
        [
            summary.Finding.EventTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            summary.Resource.Project ?? summary.Resource.ProjectNumber ?? "-",
            summary.Resource.Service ?? (summary.Resource.Job is { } job ? $"job/{job}" : "-"),
            summary.Network.Remote ?? "-",
            process?.BinaryPath ?? process?.Name ?? "-",
            CollectorCounts.Compact(summary.Collectors),
            summary.BundleId,
        ];
        _rows.Add([.. cells.Select((cell, i) => Cell(cell, s_maxWidths[i]))]);
    }

    public async Task WriteAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var widths = s_headers.Select((header, i) => _rows.Select(r => r[i].Length).Append(header.Length).Max()).ToArray();
        await WriteRowAsync(output, s_headers, widths, cancellationToken);
        foreach (var row in _rows)
        {
            await WriteRowAsync(output, row, widths, cancellationToken);
        }
    }

    private static async Task WriteRowAsync(TextWriter output, string[] cells, int[] widths, CancellationToken cancellationToken)
    {
        var line = string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i])));
        await output.WriteLineAsync(line.AsMemory(), cancellationToken);
    }

    private static string Cell(string text, int maxWidth)
    {
        var clean = AuditText.Clean(text, int.MaxValue);
        return clean.Length <= maxWidth ? clean : "…" + clean[^(maxWidth - 1)..];
    }
}
