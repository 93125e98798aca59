using System.Text.Json;
using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Tests.Audit;

public sealed class JsonDifferenceTest
{
    [Theory]
    [InlineData("""{"a":1,"b":[1,2]}""", """{"b":[1,2],"a":1}""", null)]
    [InlineData("""{"a":{"b":"x"}}""", """{"a":{"b":"y"}}""", "$.a.b")]
    [InlineData("""{"a":[1,2]}""", """{"a":[1,2,3]}""", "$.a.length")]
    [InlineData("""{"a":[{"b":1}]}""", """{"a":[{"b":1,"c":2}]}""", "$.a[0].c")]
    [InlineData("""{"a":null}""", """{"a":false}""", "$.a")]
    [InlineData("""{"a":1,"b":2}""", """{"a":1}""", "$.b")]
    public void Find_GivesThePathOfTheFirstDifference(string left, string right, string? expectedPath)
    {
        using var l = JsonDocument.Parse(left);
        using var r = JsonDocument.Parse(right);

        Assert.Equal(expectedPath, JsonDifference.Find(l.RootElement, r.RootElement)?.Path);
    }
}
