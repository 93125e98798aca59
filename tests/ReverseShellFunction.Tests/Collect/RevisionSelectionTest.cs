using System.Text.Json.Nodes;
using ReverseShellFunction.Collectors.Run;

namespace ReverseShellFunction.Tests.Collect;

public sealed class RevisionSelectionTest
{
    private const string Service = """
        {
          "latestReadyRevision": "projects/p/locations/l/services/s/revisions/s-3",
          "traffic": [
            { "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 50 },
            { "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "s-2", "percent": 50 },
            { "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "s-1", "tag": "blue" },
            { "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "s-0" }
          ],
          "trafficStatuses": [
            { "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "revision": "s-3", "percent": 50 },
            { "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "s-2", "percent": 50 }
          ]
        }
        """;

    [Fact]
    public void NoNamedRevision_LatestReadyAndEveryRevisionThatServes() =>
        Assert.Equal(["s-3", "s-2", "s-1"], RevisionSelection.For(null, JsonNode.Parse(Service)!));

    [Fact]
    public void NamedRevision_OnlyThatOne() =>
        Assert.Equal(["s-0"], RevisionSelection.For("s-0", JsonNode.Parse(Service)!));

    [Fact]
    public void NothingKnown_Nothing() =>
        Assert.Empty(RevisionSelection.For(null, JsonNode.Parse("{}")!));
}
