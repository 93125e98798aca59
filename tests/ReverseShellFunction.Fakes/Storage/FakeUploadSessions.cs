using System.Collections.Concurrent;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>Open resumable sessions by id.</summary>
internal sealed class FakeUploadSessions
{
    private readonly ConcurrentDictionary<string, FakeUploadSession> _sessions = new(StringComparer.Ordinal);

    public FakeUploadSession Start(string bucket, string name, FakeUploadFields fields, FakePreconditions preconditions, long? declaredLength)
    {
        var session = new FakeUploadSession(Guid.NewGuid().ToString("N"), bucket, name, fields, preconditions, declaredLength);
        _sessions[session.Id] = session;
        return session;
    }

    public FakeUploadSession? Find(string? id) => id is not null && _sessions.TryGetValue(id, out var session) ? session : null;

    public void End(FakeUploadSession session) => _sessions.TryRemove(session.Id, out _);
}
