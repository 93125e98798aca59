using System.Collections.Concurrent;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Faults waiting for the next requests to each API, in order; thread-safe.</summary>
public sealed class FakeFaults
{
    private readonly ConcurrentDictionary<FakeApi, ConcurrentQueue<FakeFault>> _queues = new();
    private readonly ConcurrentDictionary<FakeApi, FakeFault> _always = new();

    /// <summary>The next <paramref name="times"/> requests to <paramref name="api"/> get <paramref name="fault"/>.</summary>
    public FakeFaults Add(FakeApi api, FakeFault fault, int times = 1)
    {
        var queue = _queues.GetOrAdd(api, _ => new ConcurrentQueue<FakeFault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }

        return this;
    }

    /// <summary>Every request to <paramref name="api"/> gets <paramref name="fault"/> once queued faults are used up.</summary>
    public FakeFaults Always(FakeApi api, FakeFault fault)
    {
        _always[api] = fault;
        return this;
    }

    public void Clear()
    {
        _queues.Clear();
        _always.Clear();
    }

    internal FakeFault? Next(FakeApi api) =>
        _queues.TryGetValue(api, out var queue) && queue.TryDequeue(out var fault) ? fault
        : _always.TryGetValue(api, out var always) ? always
        : null;
}
