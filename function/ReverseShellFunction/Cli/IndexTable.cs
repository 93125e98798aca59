using System.Globalization;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>list</c>'s readable output. By default it fits a width (<see cref="WidthOptions"/>): the columns a responder
/// scans first, the least needed dropped when narrow, long values shortened in the middle so both ends stay
/// readable, and, last and never shortened, the short id that every command taking an id accepts. <c>--wide</c>
/// prints every column in full.
/// Every cell is finding text, shown through DisplayText.Visible.
/// </summary>
/// <param name="width">The columns to fit, at least <see cref="WidthOptions.Minimum"/> (WidthOptions sees to it); null prints every column in full (<c>--wide</c>).</param>
internal sealed class IndexTable(int? width)
{
    private const string Gap = "  ";

    private readonly List<LogicalBundle> _entries = [];
    private readonly bool _wide = width is null;
    private readonly int _width = width ?? int.MaxValue;

    public int Count => _entries.Count;

    public void Add(LogicalBundle bundle) => _entries.Add(bundle);

    /// <summary>Hex digits of the short id: the end of the bundle id's hash (48 bits), which every command taking an id accepts.</summary>
    public const int ShortIdLength = 12;

    /// <summary>The last <see cref="ShortIdLength"/> hex digits of a bundle id.</summary>
    public static string ShortId(string bundleId) => bundleId.Length > ShortIdLength ? bundleId[^ShortIdLength..] : bundleId;

    public async Task WriteAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var columns = _wide ? WideColumns() : NarrowColumns();
        var rows = _entries.Select(e => columns.Select(c => Show(c.Value(e))).ToArray()).ToList();
        var widths = _wide ? Natural(columns, rows) : Fit(columns, rows, out columns, out rows);
        await WriteRowAsync(output, [.. columns.Select(c => c.Header)], widths, cancellationToken);
        foreach (var row in rows)
        {
            await WriteRowAsync(output, row, widths, cancellationToken);
        }
    }

    // Min: never narrower (a column that cannot get it is dropped); Cap: as wide as it gets before others grow;
    // Drop: dropped first when narrow (0 never); Shrink: which long column gives way first.
    private static List<Column> NarrowColumns() =>
    [
        new("EVENT TIME (UTC)", E(e => e.Summary.Finding.EventTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)), Min: 16, Cap: 16, Drop: 0, Shrink: 0),
        new("SEVERITY", E(e => e.Summary.Finding.Severity ?? "-"), Min: 8, Cap: 8, Drop: 3, Shrink: 0),
        new("SERVICE", E(e => Workload(e.Summary)), Min: 8, Cap: 30, Drop: 0, Shrink: 1),
        new("REMOTE", E(e => e.Summary.Network.Remote ?? "-"), Min: 15, Cap: 47, Drop: 2, Shrink: 3),
        // The newest part's state (the bundle's final word) in StateWords' words, "confirmed, complete"; marked with
        // "!" when it is anything else ("! not-found, complete", "! confirmed, pending p2").
        new("STATE", State, Min: 14, Cap: 26, Drop: 0, Shrink: 0),
        new("PROJECT", E(e => e.Summary.Resource.Project ?? e.Summary.Resource.ProjectNumber ?? "-"), Min: 10, Cap: 20, Drop: 4, Shrink: 2),
        new("ID", E(e => ShortId(e.Summary.BundleId)), Min: ShortIdLength, Cap: ShortIdLength, Drop: 0, Shrink: 0),
    ];

    private static List<Column> WideColumns() =>
    [
        new("EVENT TIME (UTC)", E(e => e.Summary.Finding.EventTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture))),
        new("SEVERITY", E(e => e.Summary.Finding.Severity ?? "-")),
        new("CATEGORY", E(e => e.Summary.Finding.Category ?? "-")),
        new("PROJECT", E(e => e.Summary.Resource.Project ?? e.Summary.Resource.ProjectNumber ?? "-")),
        new("SERVICE", E(e => Workload(e.Summary))),
        new("REVISION", E(e => e.Summary.Workload?.Revision ?? e.Summary.Resource.Revision ?? "-")),
        new("REMOTE", E(e => e.Summary.Network.Remote ?? "-")),
        new("BINARY", E(e => e.Summary.Processes.Count > 0 ? e.Summary.Processes[0].BinaryPath ?? e.Summary.Processes[0].Name ?? "-" : "-")),
        new("STATE", State),
        new("COLLECTORS", b => SummaryText.CollectorCounts(b.Latest.Entry.Summary.Collectors)),
        new("BUNDLE ID", E(e => e.Summary.BundleId)),
    ];

    /// <summary>A column of the finding's facts: from part 1, which holds the notification.</summary>
    private static Func<LogicalBundle, string> E(Func<IndexEntry, string> value) => b => value(b.First.Entry);

    private static string State(LogicalBundle bundle) => StateWords.Cell(bundle.Latest.Entry.Summary);

    private static string Workload(EvidenceSummary s) => s.Resource.Service ?? (s.Resource.Job is { } job ? $"job/{job}" : "-");

    private static int[] Natural(List<Column> columns, List<string[]> rows) =>
        [.. columns.Select((c, i) => rows.Select(r => r[i].Length).Append(c.Header.Length).Max())];

    /// <summary>
    /// Each column wants its content up to its cap. While that is too wide: drop the least needed optional
    /// columns (project, severity), then shorten long ones (service, project, remote) down to their minimum,
    /// then drop remote and evidence. Room left over widens the shortened columns again.
    /// </summary>
    private int[] Fit(List<Column> all, List<string[]> allRows, out List<Column> columns, out List<string[]> rows)
    {
        var naturalAll = Natural(all, allRows);
        var keep = Enumerable.Range(0, all.Count).ToList();
        var want = all.Select((c, i) => Math.Max(MinWidth(c, naturalAll[i]), Math.Min(naturalAll[i], c.Cap))).ToArray();
        int Total() => keep.Sum(i => want[i]) + (Gap.Length * (keep.Count - 1));
        while (Total() > _width)
        {
            var optional = keep.Where(i => all[i].Drop >= 3).ToList();
            if (optional.Count > 0)
            {
                keep.Remove(optional.MaxBy(i => all[i].Drop));
                continue;
            }

            var shrinkable = keep.Where(i => all[i].Shrink > 0 && want[i] > MinWidth(all[i], naturalAll[i])).OrderBy(i => all[i].Shrink).ToList();
            if (shrinkable.Count > 0)
            {
                var i = shrinkable[0];
                want[i] -= Math.Min(Total() - _width, want[i] - MinWidth(all[i], naturalAll[i]));
                continue;
            }

            var droppable = keep.Where(i => all[i].Drop > 0).ToList();
            if (droppable.Count == 0)
            {
                break;
            }

            keep.Remove(droppable.MaxBy(i => all[i].Drop));
        }

        // Give what is left to columns still shorter than their content, the least shrinkable first.
        var spare = _width - Total();
        foreach (var i in keep.Where(i => all[i].Shrink > 0).OrderBy(i => all[i].Shrink))
        {
            var grow = Math.Clamp(naturalAll[i] - want[i], 0, Math.Max(0, spare));
            want[i] += grow;
            spare -= grow;
        }

        columns = [.. keep.Select(i => all[i])];
        rows = [.. allRows.Select(r => keep.Select(i => r[i]).ToArray())];
        var widths = keep.Select(i => want[i]).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = MiddleEllipsis(row[i], widths[i]);
            }
        }

        return widths;
    }

    // A column whose content is narrower than its minimum does not reserve the minimum.
    private static int MinWidth(Column column, int natural) => Math.Max(Math.Min(column.Min, natural), column.Header.Length);

    /// <summary>"checkout-api-with-a-very-long-name" in 20 columns: "checkout-a…long-name": both ends stay.</summary>
    public static string MiddleEllipsis(string text, int width)
    {
        if (text.Length <= width)
        {
            return text;
        }

        if (width <= 1)
        {
            return "…";
        }

        var head = (width - 1 + 1) / 2;
        var tail = width - 1 - head;
        return string.Concat(text.AsSpan(0, head), "…", text.AsSpan(text.Length - tail));
    }

    private static async Task WriteRowAsync(TextWriter output, string[] cells, int[] widths, CancellationToken cancellationToken)
    {
        var line = string.Join(Gap, cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i])));
        await output.WriteLineAsync(line.AsMemory(), cancellationToken);
    }

    private static string Show(string text) => DisplayText.Visible(text, 2000);

    private sealed record Column(string Header, Func<LogicalBundle, string> Value, int Min = 0, int Cap = int.MaxValue, int Drop = 0, int Shrink = 0);
}
