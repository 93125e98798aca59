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
    IReadOnlyDictionary<string, string> Headers);
