using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// Create-only under a real race, many times over: a check-then-rename let two writers both win about once in
/// 200 rounds, which a single ten-writer round rarely shows.
/// </summary>
public sealed class LocalEvidenceStoreRaceTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ConcurrentCreatesOfOneName_ExactlyOneWins_EveryRound()
    {
        var store = new LocalEvidenceStore(_folder.Path);
        var start = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        for (var round = 0; round < 2000; round++)
        {
            var id = BundleId.For("organizations/1/sources/2/findings/race", start.AddSeconds(round));
            using var gate = new ManualResetEventSlim();
            var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                gate.Wait();
                return await store.CreateIndexEntryAsync(id, new[] { (byte)writer }, CancellationToken.None);
            })).ToArray();
            gate.Set();
            var results = await Task.WhenAll(writers);

            Assert.True(results.Count(r => r == CreateResult.Created) == 1, $"round {round}: {string.Join(", ", results)}");
            var winner = Array.IndexOf(results, CreateResult.Created);
            Assert.Equal([(byte)winner], (await store.ReadIndexEntryAsync(id, CancellationToken.None))!);
        }

        Assert.Empty(Directory.GetFiles(_folder.Path, ".tmp-*", SearchOption.AllDirectories));
    }
}
