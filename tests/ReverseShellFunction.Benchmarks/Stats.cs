namespace ReverseShellFunction.Benchmarks;

/// <summary>Order statistics on measured values; percentiles by nearest rank, so every reported value was measured.</summary>
internal static class Stats
{
    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="percent"/> % of values at or below it.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static double Max(IReadOnlyCollection<double> values) => values.Count == 0 ? double.NaN : values.Max();

    public static double Min(IReadOnlyCollection<double> values) => values.Count == 0 ? double.NaN : values.Min();
}
