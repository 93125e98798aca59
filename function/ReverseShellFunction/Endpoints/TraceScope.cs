namespace ReverseShellFunction.Endpoints;

/// <summary>
/// Carries the request's trace id into every log line, in the field Cloud Logging uses to link entries to a
/// trace (<c>logging.googleapis.com/trace</c>, which needs the project id).
/// </summary>
public static class TraceScope
{
    public const string TraceKey = "logging.googleapis.com/trace";

    public static Dictionary<string, object?> From(HttpRequest request, string? project)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scope = new Dictionary<string, object?>();
        var traceId = TraceId(request);
        if (traceId is not null)
        {
            scope[project is null ? "traceId" : TraceKey] = project is null ? traceId : $"projects/{project}/traces/{traceId}";
        }

        return scope;
    }

    // traceparent: 00-<32 hex trace id>-<16 hex span>-<flags>; X-Cloud-Trace-Context: <trace id>/<span>;o=1.
    private static string? TraceId(HttpRequest request)
    {
        var traceparent = request.Headers["traceparent"].ToString().Split('-');
        if (traceparent.Length == 4 && IsHex(traceparent[1], 32))
        {
            return traceparent[1];
        }

        var cloud = request.Headers["X-Cloud-Trace-Context"].ToString().Split('/')[0];
        return IsHex(cloud, 32) ? cloud : null;
    }

    private static bool IsHex(string text, int length) => text.Length == length && text.All(char.IsAsciiHexDigit);
}
