using System.Globalization;

namespace ReverseShellFunction.Benchmarks;

/// <summary>One line of the summary table: a measured value against its limit or baseline, and the target.</summary>
internal sealed record SummaryRow(string Measure, string Result, string Reference, string Ratio, string Target, string Met);

/// <summary>What one scenario measured: summary rows, a markdown section, raw data for results.json, and errors.</summary>
internal sealed class ScenarioResult
{
    public required string Name { get; init; }

    public required string Title { get; init; }

    public List<SummaryRow> Rows { get; } = [];

    /// <summary>Markdown lines of the scenario's own section.</summary>
    public List<string> Details { get; } = [];

    public Dictionary<string, object?> Data { get; } = [];

    /// <summary>Errors and lost events: any makes the run exit non-zero. Missed targets are not errors.</summary>
    public List<string> Errors { get; } = [];

    public double Seconds { get; set; }

    public static string Ms(double value) => double.IsNaN(value) ? "n/a" : value.ToString(value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    public static string Number(double value, string format = "0.00") =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string Met(bool met) => met ? "yes" : "**no**";
}
