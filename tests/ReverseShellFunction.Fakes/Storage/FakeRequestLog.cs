namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// Every request the fake received, in arrival order, for tests that count attempts. A request is logged when it
/// arrives and its status is filled in before the response starts (or before the connection is dropped), so a
/// client that has seen an answer always finds its request here, status included: no waiting needed.
/// </summary>
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

    internal int Arrived(FakeStorageOperation operation, string method, string target)
    {
        lock (_lock)
        {
            _requests.Add(new FakeRequest(operation, method, target, FakeRequest.Pending));
            return _requests.Count - 1;
        }
    }

    /// <summary>Records the first status given; a dropped request stays dropped whatever the server does next.</summary>
    internal void Answered(int index, int statusCode)
    {
        lock (_lock)
        {
            if (_requests[index].StatusCode == FakeRequest.Pending)
            {
                _requests[index] = _requests[index] with { StatusCode = statusCode };
            }
        }
    }
}
