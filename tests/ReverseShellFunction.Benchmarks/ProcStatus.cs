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

    /// <summary>CPU time the process has used so far, user and system, from <c>/proc/PID/stat</c> (in clock ticks of 10 ms).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>Resets VmHWM to the current RSS (<c>echo 5 &gt; /proc/PID/clear_refs</c>), so a later peak covers only what follows.</summary>
    public static void ResetPeak(int pid) =>
        File.WriteAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");

    private static long KiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture);
}
