namespace ReverseShellFunction.Fakes.Storage;

/// <summary>Every request the fake answered (or dropped), in arrival order, for tests that count attempts.</summary>
public sealed class FakeRequestLog
{
    private readonly Lock _lock = new();
    private readonly List<FakeRequest> _requests = [];

    public IReadOnlyList<FakeRequest> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public int Count(FakeStorageOperation operation)
    {
        lock (_lock)
        {
            return _requests.Count(r => r.Operation == operation);
        }
    }

    internal void Add(FakeRequest request)
    {
        lock (_lock)
        {
            _requests.Add(request);
        }
    }
}

/// <summary>One logged request; <see cref="StatusCode"/> is 0 when the fake dropped the connection.</summary>
public sealed record FakeRequest(FakeStorageOperation Operation, string Method, string Target, int StatusCode);
