using System.Globalization;

namespace ReverseShellFunction.Benchmarks;

/// <summary>Memory of a process from <c>/proc/PID/status</c> (Linux): resident set now and its peak since start or reset.</summary>
internal sealed record ProcStatus(long RssKiB, long PeakRssKiB)
{
    public double RssMiB => RssKiB / 1024.0;

    public double PeakRssMiB => PeakRssKiB / 1024.0;

    public static ProcStatus Read(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiB(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = KiB(line);
            }
        }

        return new ProcStatus(rss, peak);
    }

    /// <summary>Resets VmHWM to the current RSS (<c>echo 5 &gt; /proc/PID/clear_refs</c>), so a later peak covers only what follows.</summary>
    public static void ResetPeak(int pid) =>
        File.WriteAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");

    private static long KiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture);
}
