using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.Storage;

namespace ReverseShellFunction.Tests.Store;

/// <summary>A fake Cloud Storage server and a <see cref="GcsEvidenceStore"/> on the real client pointed at it.</summary>
internal sealed class FakeBucket : IAsyncDisposable
{
    public const string Name = "evidence-test";

    private FakeBucket(FakeStorageServer server, GcsEvidenceStore store)
    {
        Server = server;
        Store = store;
    }

    public FakeStorageServer Server { get; }

    public GcsEvidenceStore Store { get; }

    /// <summary>Short backoff and few attempts, so that failure paths finish in milliseconds.</summary>
    public static GcsStoreOptions FastOptions => new()
    {
        Bucket = Name,
        OperationTimeout = TimeSpan.FromSeconds(10),
        MaxAttempts = 4,
        RetryTiming = new RetryTiming(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(40), 2),
    };

    public static async Task<FakeBucket> StartAsync(Func<GcsStoreOptions, GcsStoreOptions>? configure = null)
    {
        var server = await FakeStorageServer.StartAsync();
        var options = configure?.Invoke(FastOptions) ?? FastOptions;

        // Through the same path as STORAGE_EMULATOR_HOST, host:port without a scheme.
        var client = StorageClientFactory.Create(server.EmulatorHost, HostEnvironment.Isolated(_ => null).Credentials);
        return new FakeBucket(server, new GcsEvidenceStore(client, options, NullLogger<GcsEvidenceStore>.Instance));
    }

    public FakeObject? Object(string name) => Server.Objects.Get(Name, name);

    public IReadOnlyList<FakeObject> Objects(string prefix) => Server.Objects.List(Name, prefix);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
