using System.Collections.Concurrent;

namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>An HttpMessageHandler that answers from a script, one response per request, and keeps the requests.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _script = new();

    public List<HttpRequestMessage> Requests { get; } = [];

    public ScriptedHandler Then(Func<HttpResponseMessage> response)
    {
        _script.Enqueue(response);
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return _script.TryDequeue(out var next)
            ? Task.FromResult(next())
            : throw new InvalidOperationException("The script has no more responses.");
    }
}
