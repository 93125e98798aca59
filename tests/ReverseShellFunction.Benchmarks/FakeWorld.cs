using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Benchmarks;

/// <summary>The fakes the function process is pointed at: the Google APIs and Cloud Storage, in this process.</summary>
internal sealed class FakeWorld : IAsyncDisposable
{
    public const string Bucket = "evidence-bench";

    private FakeWorld(FakeGoogleApis apis, FakeStorageServer storage)
    {
        Apis = apis;
        Storage = storage;
    }

    public FakeGoogleApis Apis { get; }

    public FakeStorageServer Storage { get; }

    /// <summary>The same per-call latency on every fake.</summary>
    public TimeSpan Latency
    {
        get => Apis.Latency;
        set
        {
            Apis.Latency = value;
            Storage.Latency = value;
        }
    }

    /// <summary>What points the function at the fakes, with the bucket store.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(Apis.EnvironmentVariables)
    {
        ["STORAGE_EMULATOR_HOST"] = Storage.EmulatorHost,
        ["EVIDENCE_BUCKET"] = Bucket,
        ["REDACTION_HMAC_KEY"] = "benchmark-key",
    };

    public static async Task<FakeWorld> StartAsync(FakeGoogleApisOptions options)
    {
        var apis = await FakeGoogleApis.StartAsync(options);
        try
        {
            var storage = await FakeStorageServer.StartAsync();
            return new FakeWorld(apis, storage) { Latency = options.Latency };
        }
        catch
        {
            await apis.DisposeAsync();
            throw;
        }
    }

    public int Count(string prefix) => Storage.Objects.List(Bucket, prefix).Count;

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        await Apis.DisposeAsync();
    }
}
