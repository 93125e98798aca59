using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Tests.Audit;

/// <summary>Stored objects are read concurrently (audits, the embedded runner, completions): the shape check must allow it.</summary>
public sealed class StoredShapeTest
{
    [Fact]
    public async Task ShapeChecksOfTypesNotSeenBefore_RunConcurrently_WithoutCorruptingTheNullabilityCache()
    {
        // Types only this test uses, so their first checks (when the nullability caches fill) happen here, all at
        // once: NullabilityInfoContext alone is not thread-safe and threw IndexOutOfRangeException under this.
        using var start = new Barrier(8);
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(10));
            return (string?[])
            [
            StoredShape.FirstNull(new Shape0(), "", 0),
            StoredShape.FirstNull(new Shape1(), "", 0),
            StoredShape.FirstNull(new Shape2(), "", 0),
            StoredShape.FirstNull(new Shape3(), "", 0),
            StoredShape.FirstNull(new Shape4(), "", 0),
            StoredShape.FirstNull(new Shape5(), "", 0),
            StoredShape.FirstNull(new Shape6(), "", 0),
            StoredShape.FirstNull(new Shape7(), "", 0),
            ];
        })).ToArray();

        var found = await Task.WhenAll(readers);

        Assert.All(found.SelectMany(f => f), Assert.Null);
        Assert.Equal("p3", StoredShape.FirstNull(new Shape0 { P3 = null! }, "", 0));
    }

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
