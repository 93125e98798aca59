using ReverseShellFunction.Cli;

namespace ReverseShellFunction.Tests.Cli;

public sealed class TextWrapTest
{
    private const string Id = "20261128T211407482Z-5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b-3a051286c728fe91";
    private const string Hash = "6dbf59c809910af4055841c662a4267b688ed7c600015810d16ed9389041fb33";

    [Fact]
    public void LabelledLine_ContinuesUnderItsValue_AtWordBoundaries()
    {
        var text = TextWrap.Wrap("  Parent chain:      /usr/local/bin/node (pid 2790) <- pid 1 (not in the finding) <- and more words here\n", 60);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 60, l));
        Assert.Equal("  Parent chain:      /usr/local/bin/node (pid 2790) <- pid 1", lines[0]);
        Assert.StartsWith(new string(' ', 21) + "(not", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(40)]
    public void IdsAndHashes_AreNeverSplit(int width)
    {
        var text = TextWrap.Wrap($"  Stored as:         bundles/2026/11/28/{Id}.zip (11378 bytes, sha256 {Hash})\n  Bundle:            {Id}\n", width);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
        if (width >= Id.Length)
        {
            Assert.Equal(2, lines.Count(l => l.Contains(Id, StringComparison.Ordinal)));
        }

        if (width >= Hash.Length + 4)
        {
            Assert.Contains(lines, l => l.Contains(Hash, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AWordLongerThanTheWidth_IsCutAfterASlash()
    {
        var text = TextWrap.Wrap($"  VirusTotal:        https://www.virustotal.com/gui/file/{Hash}\n", 80);
        Assert.Equal($"  VirusTotal:        https://www.virustotal.com/gui/file/\n    {Hash}\n", text);
    }

    [Fact]
    public void ShortLines_AreUnchanged()
    {
        Assert.Equal("a b\n\nc\n", TextWrap.Wrap("a b\n\nc\n", 40));
    }
}
