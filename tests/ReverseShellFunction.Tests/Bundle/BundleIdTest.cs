using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Tests.Bundle;

public class BundleIdTest
{
    private static readonly DateTimeOffset s_time = new(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero);

    [Fact]
    public void Id_StartsWithEventTime_AndParsesBack()
    {
        var id = BundleId.For("organizations/1/sources/2/locations/global/findings/5f1c8e0a", s_time);

        Assert.StartsWith("20261128T211407482Z-5f1c8e0a-", id.Value, StringComparison.Ordinal);
        Assert.True(BundleId.TryParse(id.Value, out var parsed));
        Assert.Equal(s_time, parsed.EventTime);
        Assert.Equal("bundles/2026/11/28/" + id.Value + ".zip", BundleLayout.BundleObject(id));
    }

    [Fact]
    public void SameFindingAndTime_GiveTheSameId_OtherTimeOrNameDiffers()
    {
        var a = BundleId.For("organizations/1/sources/2/findings/x", s_time);

        Assert.Equal(a, BundleId.For("organizations/1/sources/2/findings/x", s_time));
        Assert.NotEqual(a.Value, BundleId.For("organizations/1/sources/2/findings/x", s_time.AddTicks(1)).Value);
        Assert.NotEqual(a.Value, BundleId.For("organizations/9/sources/2/findings/x", s_time).Value);
    }

    public static TheoryData<string> HostileNames => new()
    {
        "../../../etc/passwd",
        "organizations/1/sources/2/findings/..%2F..%2Fbundles",
        "findings/\u0000\u001b[31mred\r\nX-Injected: yes",
        "findings/" + new string('a', 5000),
        "findings/ünïcødé-名前",
        "",
        "/",
        "findings/a b\tc",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void HostileFindingNames_GiveSafeBoundedObjectNames(string name)
    {
        var id = BundleId.For(name, s_time);

        Assert.True(id.Value.Length <= 80);
        Assert.All(id.Value, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c == '-', $"unsafe char {(int)c}"));
        Assert.True(BundleId.TryParse(id.Value, out _));
        Assert.True(BundlePaths.IsSafe(BundleLayout.BundleObject(id)));
        Assert.True(BundlePaths.IsSafe(BundleLayout.IndexObject(id)));
    }

    [Theory]
    [InlineData("../20261128T211407482Z-a-0123456789abcdef")]
    [InlineData("20261128T211407482Z-a-0123456789abcdef/../../x")]
    [InlineData("20261128T211407482Z-a-0123456789ABCDEF")]
    [InlineData("20261399T211407482Z-a-0123456789abcdef")]
    [InlineData("20261128T211407482Z--0123456789abcdef")]
    [InlineData("20261128T211407482Z-a-0123456789abcdef\n")]
    [InlineData("")]
    public void TryParse_RejectsAnythingElse(string text)
    {
        Assert.False(BundleId.TryParse(text, out _));
    }

    [Fact]
    public void StoreLayout_MapsObjectNamesBackToIds_AndRejectsLookalikes()
    {
        var id = BundleId.For("organizations/1/sources/2/findings/x", s_time);

        Assert.Equal(id, BundleLayout.IdFromObjectName(BundleLayout.IndexObject(id)));
        Assert.Equal(id, BundleLayout.IdFromObjectName(BundleLayout.BundleObject(id)));
        Assert.Null(BundleLayout.IdFromObjectName("index/2020/01/01/" + id.Value + ".json"));
        Assert.Null(BundleLayout.IdFromObjectName("index/2026/11/28/" + id.Value + ".zip"));
        Assert.Null(BundleLayout.IdFromObjectName("quarantine/2026/11/28/x.json"));
    }
}
