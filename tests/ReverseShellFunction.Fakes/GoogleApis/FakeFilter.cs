using System.Globalization;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// A parsed filter in the common subset of the SCC and Cloud Logging languages: comparisons
/// (<c>= != &gt; &lt; &gt;= &lt;= :</c>), AND (also implicit), OR (binding tighter than AND, as both documents say),
/// NOT, parentheses and one-argument functions such as <c>log_id("…")</c>. Values are compared as instants when
/// both sides read as RFC 3339 or epoch milliseconds, else as text.
/// </summary>
public sealed class FakeFilter
{
    private readonly FilterNode _root;

    private FakeFilter(FilterNode root, IReadOnlyList<FilterComparison> comparisons)
    {
        _root = root;
        Comparisons = comparisons;
    }

    /// <summary>Every comparison in the filter, in order, whatever its place in the expression.</summary>
    public IReadOnlyList<FilterComparison> Comparisons { get; }

    public static FakeFilter Parse(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parser = new FakeFilterParser(FakeFilterTokenizer.Tokenize(filter));
        var root = parser.ParseAll();
        return new FakeFilter(root, parser.Comparisons);
    }

    /// <summary>Evaluates against one item; <paramref name="field"/> resolves a dotted path, <paramref name="function"/> a call.</summary>
    public bool Matches(Func<string, string?> field, Func<string, string, bool> function) => _root.Evaluate(field, function);

    /// <summary>The value a comparison with <paramref name="field"/> and <paramref name="op"/> names, if any.</summary>
    public string? ValueOf(string field, string op = "=") =>
        Comparisons.FirstOrDefault(c => c.Field == field && c.Operator == op)?.Value;

    internal static bool Compare(string? actual, string op, string expected)
    {
        if (actual is null)
        {
            return op == "!=";
        }

        if (op == ":")
        {
            return actual.Contains(expected, StringComparison.OrdinalIgnoreCase);
        }

        var order = Instant(actual) is { } a && Instant(expected) is { } b ? a.CompareTo(b) : string.CompareOrdinal(actual, expected);
        return op switch
        {
            "=" => order == 0,
            "!=" => order != 0,
            ">" => order > 0,
            "<" => order < 0,
            ">=" => order >= 0,
            "<=" => order <= 0,
            _ => throw new FakeFilterException($"Unknown operator {op}."),
        };
    }

    private static DateTimeOffset? Instant(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && text.Length >= 12
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : text.Length >= 20 && text[4] == '-' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : null;
}

/// <summary>One <c>field op value</c> of a filter.</summary>
public sealed record FilterComparison(string Field, string Operator, string Value);
