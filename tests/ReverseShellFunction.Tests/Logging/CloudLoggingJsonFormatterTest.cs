using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Tests.Logging;

public partial class CloudLoggingJsonFormatterTest
{
    [Fact]
    public void Entry_IsOneJsonLine_WithSeverityMessageFieldsScopesAndException()
    {
        var formatter = new CloudLoggingJsonFormatter();
        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push(new Dictionary<string, object?> { ["logging.googleapis.com/trace"] = "projects/p/traces/abc", ["bundleId"] = "b1" });
        var state = new LogValues("Stored bundle {BundleId} ({Size} bytes)", ("BundleId", "b1"), ("Size", 1234L));
        using var output = new StringWriter();

        formatter.Write(new LogEntry<LogValues>(LogLevel.Warning, "Cat", new EventId(7), state, new InvalidOperationException("boom"), (s, _) => s.Format()), scopes, output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = Assert.Single(lines);
        var entry = JsonDocument.Parse(json).RootElement;
        Assert.Equal("WARNING", entry.GetProperty("severity").GetString());
        Assert.StartsWith("Stored bundle b1 (1234 bytes)", entry.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("boom", entry.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1234, entry.GetProperty("Size").GetInt64());
        Assert.Equal("projects/p/traces/abc", entry.GetProperty("logging.googleapis.com/trace").GetString());
        Assert.Equal("Cat", entry.GetProperty("category").GetString());
        Assert.False(entry.TryGetProperty("{OriginalFormat}", out _));
    }

    /// <summary>State shaped like the logger's own: named values plus the template.</summary>
    internal sealed class LogValues(string template, params (string Key, object? Value)[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly List<KeyValuePair<string, object?>> _items =
            [.. values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)), new("{OriginalFormat}", template)];

        public int Count => _items.Count;

        public KeyValuePair<string, object?> this[int index] => _items[index];

        public string Format() => values.Aggregate(template, (text, v) => text.Replace("{" + v.Key + "}", Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
