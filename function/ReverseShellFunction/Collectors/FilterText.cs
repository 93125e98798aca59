using System.Globalization;
using System.Text;

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
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '"':
                    text.Append("\\\"");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '\r':
                    text.Append(@"\r");
                    break;
                case '\t':
                    text.Append(@"\t");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"').ToString();
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
