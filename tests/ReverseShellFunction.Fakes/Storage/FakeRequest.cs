namespace ReverseShellFunction.Fakes.Storage;

/// <summary>One logged request; <see cref="StatusCode"/> is 0 when the fake dropped the connection.</summary>
public sealed record FakeRequest(FakeStorageOperation Operation, string Method, string Target, int StatusCode)
{
    /// <summary>The status of a request still being handled.</summary>
    public const int Pending = -1;
}
