using System.Globalization;

namespace ReverseShellFunction.Collectors;

/// <summary>
/// Values placed into SCC and Cloud Logging filters. Names come from the finding, which an attacker with
/// access to the workload may influence: every value is a quoted string with its backslashes and quotes
/// escaped, so it can never close the string and add clauses of its own.
/// </summary>
public static class FilterText
{
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);

        // Backslashes first, so the backslashes of the escapes added after them are not escaped again.
        var escaped = value.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", @"\n", StringComparison.Ordinal)
            .Replace("\r", @"\r", StringComparison.Ordinal)
            .Replace("\t", @"\t", StringComparison.Ordinal);
        return $"\"{escaped}\"";
    }

    /// <summary>An RFC 3339 UTC timestamp in quotes, as Cloud Logging compares <c>timestamp</c>.</summary>
    public static string Timestamp(DateTimeOffset time) => Quote(Rfc3339(time));

    /// <summary>RFC 3339 UTC with milliseconds, unquoted, for reasons a person reads.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds since the epoch, the form SCC's <c>event_time</c> compares as an integer.</summary>
    public static string EpochMilliseconds(DateTimeOffset time) =>
        time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
