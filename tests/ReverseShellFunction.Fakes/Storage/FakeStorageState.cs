namespace ReverseShellFunction.Fakes.Storage;

/// <summary>Everything the handlers share: the objects, open sessions, armed faults, the log and the root URL.</summary>
internal sealed class FakeStorageState
{
    public FakeStorageState(TimeProvider time)
    {
        Objects = new FakeObjectTable(time);
    }

    public FakeObjectTable Objects { get; }
    public FakeUploadSessions Sessions { get; } = new();
    public FakeStorageFaults Faults { get; } = new();
    public FakeRequestLog Requests { get; } = new();

    /// <summary>Requests refused against the JSON API's definition, and answers that broke it.</summary>
    public Definitions.ApiConformance Conformance { get; } = new();

    /// <summary>What <c>GET storage/v1/b/{bucket}</c> answers, for every bucket name.</summary>
    public FakeBucketSettings Bucket { get; set; } = new();

    /// <summary>Waited before each request is handled, in ticks; see <see cref="FakeStorageServer.Latency"/>.</summary>
    public long LatencyTicks;

    /// <summary><c>http://127.0.0.1:PORT/</c>, known once Kestrel has bound its port.</summary>
    public Uri Root { get; set; } = new("http://127.0.0.1/");
}
