namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>One request the fake saw, for assertions and for finding out what a client library probes.</summary>
public sealed record FakeRequest(
    FakeApi? Api,
    string Method,
    string Path,
    string Query,
    string? Body,
    bool Authorized,
    int StatusCode,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>When the request arrived, as a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value: lets a benchmark place it on a timeline.</summary>
    public long ArrivedAt { get; init; }

    /// <summary>The quota minute (Unix minutes of the fake's clock) a Logging read was charged to; null when none was charged.</summary>
    public long? QuotaMinute { get; init; }
}
