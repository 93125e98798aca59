namespace ReverseShellFunction.Fakes.Storage;

/// <summary>One armed fault: what it does, to which kind of request, after how many more such requests pass, how many more times.</summary>
internal sealed record FakeFault(FakeStorageOperation Operation, FakeFaultKind Kind, int StatusCode, TimeSpan Delay, int Remaining, int Skip = 0);

internal enum FakeFaultKind
{
    Status,
    Drop,
    Delay,
}
