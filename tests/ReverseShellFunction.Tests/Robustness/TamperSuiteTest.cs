using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.Robustness;

/// <summary>
/// Seeded single-byte flips of stored bundle objects, each run through <c>verify --all --json</c> and <c>get</c>
/// as an auditor runs them: every flip must be reported as a problem of the flipped bundle (100%), the other
/// bundles must still be reported as verified, verify must exit 1 with a report (never 2, never a crash), and
/// get must keep nothing. Every store runs the same scenario; the folder with the full counts in the full lane
/// (<see cref="TestLane"/>), and in the default lane fewer flips from the same seeds (a fixed sample).
/// </summary>
public abstract class TamperSuiteTest : IAsyncLifetime
{
    private static readonly SampleEvent[] s_bundles =
    [
        new(),
        new() { FindingId = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a", EventTime = new DateTimeOffset(2026, 11, 27, 9, 30, 0, 125, TimeSpan.Zero) },
        new() { FindingId = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c", EventTime = new DateTimeOffset(2026, 11, 26, 8, 0, 0, 1, TimeSpan.Zero) },
    ];

    private readonly ITestOutputHelper _output;
    private StoreUnderTest? _store;

    protected TamperSuiteTest(ITestOutputHelper output) => _output = output;

    /// <summary>Flips per bundle anywhere in the object, and within its central directory.</summary>
    protected abstract (int Uniform, int CentralDirectory) Flips { get; }

    protected abstract Task<StoreUnderTest> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task EverySingleByteFlip_IsReportedForItsBundle_OthersStillVerify_GetKeepsNothing()
    {
        var store = _store!;
        var ids = new List<BundleId>();
        foreach (var sample in s_bundles)
        {
            ids.Add(await EvidenceSeeder.ReplayAsync(store.Store, sample));
        }

        var (flips, reported, exitOne, othersOk, getRefused) = (0, 0, 0, 0, 0);
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, index) in ids.Select((id, i) => (id, i)))
        {
            var name = BundleLayout.BundleObject(id);
            var original = await store.ReadRawAsync(name, CancellationToken.None);
            var random = new Random(1000 + index);
            var centralDirectory = ZipEditor.CentralDirectoryOffset(original);
            var positions = Enumerable.Range(0, Flips.Uniform).Select(_ => random.Next(original.Length))
                .Concat(Enumerable.Range(0, Flips.CentralDirectory).Select(_ => random.Next(centralDirectory, original.Length)));
            foreach (var position in positions)
            {
                var flipped = (byte[])original.Clone();
                flipped[position] ^= (byte)random.Next(1, 256);
                await store.PutRawAsync(name, flipped, CancellationToken.None);
                flips++;

                var verify = await CliRun.RunAsync(store, "verify", "--all", "--json");
                Assert.True(verify.ExitCode is ExitCodes.Problem or ExitCodes.Ok, $"flip at {position} of {id}: {verify}");
                exitOne += verify.ExitCode == ExitCodes.Problem ? 1 : 0;
                var results = verify.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
                var mine = results.Single(r => r.TryGetProperty("bundleId", out var b) && b.GetString() == id.Value);
                if (!mine.GetProperty("verified").GetBoolean())
                {
                    reported++;
                    foreach (var problem in mine.GetProperty("problems").EnumerateArray())
                    {
                        var kind = problem.GetProperty("kind").GetString()!;
                        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    }
                }

                othersOk += results.Count == ids.Count
                    && results.Where(r => r.GetProperty("bundleId").GetString() != id.Value).All(r => r.GetProperty("verified").GetBoolean()) ? 1 : 0;

                using var target = new TempFolder();
                var get = await CliRun.RunAsync(store, "get", id.Value, "--out", Path.Combine(target.Path, "out"));
                getRefused += get.ExitCode == ExitCodes.Problem && !Directory.EnumerateFileSystemEntries(target.Path).Any() ? 1 : 0;
            }

            await store.PutRawAsync(name, original, CancellationToken.None);
        }

        _output.WriteLine($"flips per bundle: {TestLane.Describe(Flips.Uniform + Flips.CentralDirectory)}");
        _output.WriteLine($"{flips} flips over {ids.Count} bundles: reported {reported}, verify exit 1 {exitOne}, others verified {othersOk}, get refused and kept nothing {getRefused}");
        _output.WriteLine("problem kinds: " + string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}")));
        Assert.Equal(ids.Count * (Flips.Uniform + Flips.CentralDirectory), flips);
        Assert.Equal(flips, reported);
        Assert.Equal(flips, exitOne);
        Assert.Equal(flips, othersOk);
        Assert.Equal(flips, getRefused);
    }

}

/// <summary>
/// The full counts on the folder store in the full lane: 3 bundles × (500 uniform + 200 central-directory) flips;
/// the default lane: 3 × (12 + 6) from the same seeds, the same flips every run.
/// </summary>
public sealed class LocalTamperSuiteTest(ITestOutputHelper output) : TamperSuiteTest(output)
{
    protected override (int Uniform, int CentralDirectory) Flips => (TestLane.Count(500, 12), TestLane.Count(200, 6));

    protected override Task<StoreUnderTest> CreateStoreAsync() => Task.FromResult<StoreUnderTest>(new LocalStoreUnderTest());
}

/// <summary>
/// The same scenario on the Cloud Storage fake through the real client, with fewer flips (each costs HTTP round
/// trips): 3 × (20 + 10) in the full lane, 3 × (4 + 2) from the same seeds in the default lane.
/// </summary>
public sealed class BucketTamperSuiteTest(ITestOutputHelper output) : TamperSuiteTest(output)
{
    protected override (int Uniform, int CentralDirectory) Flips => (TestLane.Count(20, 4), TestLane.Count(10, 2));

    protected override async Task<StoreUnderTest> CreateStoreAsync() => await BucketStoreUnderTest.StartAsync();
}
