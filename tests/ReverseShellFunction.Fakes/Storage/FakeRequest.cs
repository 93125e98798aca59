namespace ReverseShellFunction.Fakes.Storage;

/// <summary>One logged request; <see cref="StatusCode"/> is 0 when the fake dropped the connection.</summary>
public sealed record FakeRequest(FakeStorageOperation Operation, string Method, string Target, int StatusCode)
{
    /// <summary>The status of a request still being handled.</summary>
    public const int Pending = -1;

    /// <summary>When the request arrived, as a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value: lets a benchmark place it on a timeline.</summary>
    public long ArrivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();
}
