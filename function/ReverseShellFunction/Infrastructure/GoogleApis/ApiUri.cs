using System.Text;

namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// Builds request URIs from an endpoint root and resource name segments taken from findings and API answers.
/// Those are untrusted: each segment is percent-encoded and "." or ".." is refused, so a crafted name can
/// never move a request to another path on the API host.
/// </summary>
public static class ApiUri
{
    public static Uri Build(string root, IEnumerable<string> segments, IEnumerable<KeyValuePair<string, string?>>? query = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(segments);
        var text = new StringBuilder(root.TrimEnd('/'));
        foreach (var segment in segments)
        {
            text.Append('/').Append(Segment(segment));
        }

        var separator = '?';
        foreach (var (name, value) in query ?? [])
        {
            if (value is not null)
            {
                text.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        return new Uri(text.ToString(), UriKind.Absolute);
    }

    private static string Segment(string segment)
    {
        if (segment.Length == 0 || segment is "." or "..")
        {
            throw new ArgumentException($"'{segment}' is not a usable resource name segment.", nameof(segment));
        }

        // Keep ':' readable for custom methods such as entries:list; everything else reserved is encoded.
        return Uri.EscapeDataString(segment).Replace("%3A", ":", StringComparison.Ordinal);
    }
}
