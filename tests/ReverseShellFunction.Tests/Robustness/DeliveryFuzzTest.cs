using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.Robustness;

/// <summary>
/// 10,000 seeded mutated deliveries through the real HTTP endpoint on Kestrel, 8 at a time, in the full lane
/// (<see cref="TestLane"/>); the default lane sends the first 500 of the same seeded sequence. The contract: no
/// answer is 5xx except the 503s of injected store failures (one per injected failure, exactly); every
/// quarantined delivery has its record; every stored one its bundle and index entry; the server is still up.
/// </summary>
public sealed class DeliveryFuzzTest : IDisposable
{
    private static readonly int s_deliveries = TestLane.Count(10_000, 500);
    private const int Seed = 20261201;

    private readonly TempFolder _folder = new();
    private readonly ITestOutputHelper _output;

    public DeliveryFuzzTest(ITestOutputHelper output) => _output = output;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task SeededMutatedDeliveries_NeverA5xxBeyondInjectedStoreFailures_NothingLost()
    {
        var store = new FaultInjectingStore(new LocalEvidenceStore(_folder.Path), failEvery: 101);
        await using var host = await FunctionHost.StartAsync(new Dictionary<string, string>(), store);
        var mutator = new DeliveryMutator(Seed);
        var deliveries = Enumerable.Range(0, s_deliveries).Select(_ => mutator.Next()).ToList();
        var statuses = new ConcurrentDictionary<int, int>();
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var unexpected = new ConcurrentBag<string>();
        var quarantined = new ConcurrentBag<string>();
        var stored = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (delivery, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "") { Content = new ByteArrayContent(delivery.Body) };
            foreach (var (name, value) in delivery.Headers)
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await host.Client.SendAsync(request, ct);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    unexpected.Add($"{(int)response.StatusCode} for {delivery.Mutation}: {text[..Math.Min(300, text.Length)]}");
                }

                return;
            }

            var result = JsonDocument.Parse(text).RootElement;
            var outcome = result.GetProperty("outcome").GetString()!;
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            if (outcome == "quarantined")
            {
                quarantined.Add(result.GetProperty("objectName").GetString()!);
            }
            else if (outcome is "stored" or "already-stored")
            {
                stored.Add(result.GetProperty("bundleId").GetString()!);
            }
        });

        using var ready = await host.Client.GetAsync(new Uri("ready", UriKind.Relative));
        _output.WriteLine($"{TestLane.Describe(s_deliveries)} deliveries (seed {Seed}): statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; outcomes {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}"))}; injected store failures {store.Injected}");
        Assert.True(unexpected.IsEmpty, string.Join("\n", unexpected.Take(10)));
        Assert.Equal(store.Injected, statuses.GetValueOrDefault(503));
        Assert.Equal(s_deliveries, statuses.Values.Sum());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.All(quarantined, name => Assert.True(File.Exists(Path.Combine(_folder.Path, name)), name));
        Assert.Equal(quarantined.Count, Directory.GetFiles(Path.Combine(_folder.Path, "quarantine"), "*.json", SearchOption.AllDirectories).Length);
        Assert.All(stored.Distinct(), id =>
        {
            var bundleId = BundleId.Parse(id);
            Assert.True(File.Exists(Path.Combine(_folder.Path, BundleLayout.BundleObject(bundleId))), id);
            Assert.True(File.Exists(Path.Combine(_folder.Path, BundleLayout.IndexObject(bundleId))), id);
        });
        Assert.True(outcomes.GetValueOrDefault("quarantined") > s_deliveries / 10, "the mutations should reach the quarantine often");
        Assert.True(outcomes.GetValueOrDefault("stored") > s_deliveries / 10, "the mutations should leave many deliveries valid, so the write path runs");
    }

    /// <summary>Fails every n-th write the way an unreachable bucket does, and counts what it injected.</summary>
    private sealed class FaultInjectingStore(IEvidenceStore inner, int failEvery) : IEvidenceStore
    {
        private int _writes;
        private int _injected;

        public int Injected => _injected;

        public string Location => inner.Location;

        public Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.GetBundleAsync(id, cancellationToken);

        public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) => inner.GetIndexEntryObjectAsync(id, cancellationToken);

        public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken) =>
            Fault() ?? inner.CreateBundleAsync(id, content, metadata, cancellationToken);

        public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
            Fault() ?? inner.CreateIndexEntryAsync(id, json, cancellationToken);

        public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
            Fault() ?? inner.CreateQuarantineAsync(objectName, json, cancellationToken);

        public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.OpenBundleAsync(id, cancellationToken);

        public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadIndexEntryAsync(id, cancellationToken);

        public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) => inner.ListIndexObjectNamesAsync(cancellationToken);

        public IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken) => inner.ListBundleObjectsAsync(cancellationToken);

        public Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
            Fault() ?? inner.CreatePendingAsync(id, json, cancellationToken);

        public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadPendingAsync(id, cancellationToken);

        public Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
            Fault() ?? inner.CreateClaimAsync(id, generation, json, cancellationToken);

        public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) => inner.ReadClaimAsync(id, generation, cancellationToken);

        public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) => inner.ListPendingObjectNamesAsync(cancellationToken);

        private Task<CreateResult>? Fault()
        {
            if (Interlocked.Increment(ref _writes) % failEvery != 0)
            {
                return null;
            }

            Interlocked.Increment(ref _injected);
            return Task.FromException<CreateResult>(new EvidenceStoreException("injected: 503 Service Unavailable"));
        }
    }
}
