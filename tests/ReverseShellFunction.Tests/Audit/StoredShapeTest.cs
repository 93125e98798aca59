using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Tests.Audit;

/// <summary>Stored objects are read concurrently (audits, the embedded runner, completions): the shape check must allow it.</summary>
public sealed class StoredShapeTest
{
    [Fact]
    public async Task ShapeChecksOfTypesNotSeenBefore_RunConcurrently_WithoutCorruptingTheNullabilityCache()
    {
        // Types only this test uses, so their first checks (when the serializer's metadata of them is built) happen
        // here, all at once: the reflection walker this replaced threw IndexOutOfRangeException under this.
        using var start = new Barrier(8);
        var json = "{}"u8.ToArray();
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(10));
            return (object[])
            [
            StoredShape.Read<Shape0>(json, "shape"),
            StoredShape.Read<Shape1>(json, "shape"),
            StoredShape.Read<Shape2>(json, "shape"),
            StoredShape.Read<Shape3>(json, "shape"),
            StoredShape.Read<Shape4>(json, "shape"),
            StoredShape.Read<Shape5>(json, "shape"),
            StoredShape.Read<Shape6>(json, "shape"),
            StoredShape.Read<Shape7>(json, "shape"),
            ];
        })).ToArray();

        var found = await Task.WhenAll(readers);

        Assert.All(found.SelectMany(f => f), Assert.NotNull);
        var ex = Assert.Throws<InvalidDataException>(() => StoredShape.Read<Shape0>("{\"p3\": null}"u8, "shape"));
        Assert.Contains("p3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"files\": null, \"summary\": {\"name\": \"x\"}}", "files")]
    [InlineData("{\"files\": [\"a\", null], \"summary\": {\"name\": \"x\"}}", "files[1]")]
    [InlineData("{\"files\": [], \"summary\": {\"name\": null}}", "summary.name")]
    [InlineData("{\"files\": []}", "summary")]
    public void ANullWhereTheTypeAllowsNone_IsRefusedInTheAuditorsWords_NamingItsPath(string json, string path)
    {
        // Written as null, inside a list, nested, or left out: one message an auditor reads in verify's output,
        // never the serializer's hint to the type's developer.
        var ex = Assert.Throws<InvalidDataException>(() => StoredShape.Read<Stored>(System.Text.Encoding.UTF8.GetBytes(json), "manifest.json"));

        Assert.Equal($"manifest.json has null at '{path}', which must have a value.", ex.Message);
    }

    private sealed record Stored(IReadOnlyList<string> Files, StoredSummary Summary);

    private sealed record StoredSummary(string Name);

    private sealed class Shape0
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape1
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape2
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape3
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape4
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape5
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape6
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }

    private sealed class Shape7
    {
        public string P0 { get; init; } = "v";
        public string P1 { get; init; } = "v";
        public string P2 { get; init; } = "v";
        public string P3 { get; init; } = "v";
        public string P4 { get; init; } = "v";
        public string P5 { get; init; } = "v";
        public string P6 { get; init; } = "v";
        public string P7 { get; init; } = "v";
        public string P8 { get; init; } = "v";
        public string P9 { get; init; } = "v";
        public string P10 { get; init; } = "v";
        public string P11 { get; init; } = "v";
    }
}
