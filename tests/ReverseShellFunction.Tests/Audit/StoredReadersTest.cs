using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Tests.Audit;

/// <summary>The one reader of stored index entries and the one walk over a bundle's parts.</summary>
public sealed class StoredReadersTest
{
    private static readonly BundleId s_id = BundleId.For("organizations/1/sources/2/findings/walk", new DateTimeOffset(2026, 11, 28, 21, 14, 42, TimeSpan.Zero));

    [Theory]
    [InlineData("{\"summary\": ", "not readable JSON")]
    [InlineData("{\"schema\": \"reverse-shell-evidence/index/v1\", \"summary\": null, \"bundle\": {\"objectName\": \"b\", \"size\": 1, \"sha256\": \"00\"}}", "summary")]
    [InlineData("{\"bundle\": {\"objectName\": \"b\", \"size\": 1, \"sha256\": \"00\"}}", "summary")]
    public void UnreadableIndexEntry_IsATypedError_NamingTheObject(string stored, string problem)
    {
        var part = s_id.WithPart(2);

        var ex = Assert.Throws<UnreadableObjectException>(() => StoredIndexEntry.Parse(part, System.Text.Encoding.UTF8.GetBytes(stored)));

        Assert.Equal(BundleLayout.IndexObject(part), ex.ObjectName);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"index entry {BundleLayout.IndexObject(part)} is unreadable: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartWalk_ReadsFromPartOneUp_StopsAtTheFirstPartWithNothing()
    {
        var asked = new List<int>();

        var walked = new List<(BundleId Id, string Value)>();
        await foreach (var part in PartWalk.ReadAsync(s_id.WithPart(2), (id, _) =>
        {
            asked.Add(id.Part);
            return Task.FromResult(id.Part <= 3 ? $"part {id.Part}" : null);
        }, CancellationToken.None))
        {
            walked.Add(part);
        }

        Assert.Equal([1, 2, 3, 4], asked);
        Assert.Equal([s_id, s_id.WithPart(2), s_id.WithPart(3)], walked.Select(p => p.Id));
        Assert.Equal(["part 1", "part 2", "part 3"], walked.Select(p => p.Value));
    }

    [Fact]
    public async Task PartWalk_EndsAtTheLastPartABundleCanHave()
    {
        var count = 0;
        await foreach (var part in PartWalk.ReadAsync(s_id, (id, _) => Task.FromResult<object?>(id), CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(BundleId.MaxPart, count);
    }
}
