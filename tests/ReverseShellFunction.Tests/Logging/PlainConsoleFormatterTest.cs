using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Tests.Logging;

/// <summary>Console log lines carry finding text; a terminal must never receive it raw.</summary>
public class PlainConsoleFormatterTest
{
    private const string Hostile = "/bin/\u202eexe.hs \u001b]0;owned\u0007\u001b[2J\r\n\0";

    [Fact]
    public void HostileValue_IsEscaped_OneLine()
    {
        using var output = new StringWriter();
        var state = new CloudLoggingJsonFormatterTest.LogValues("Finding {FindingName} matches", ("FindingName", Hostile));

        new PlainConsoleFormatter().Write(new LogEntry<CloudLoggingJsonFormatterTest.LogValues>(LogLevel.Information, "Cat", default, state, null, (s, _) => s.Format()), null, output);

        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("/bin/\\u202eexe.hs \\u001b]0;owned\\u0007\\u001b[2J\\u000d\\u000a\\u0000", line, StringComparison.Ordinal);
        Assert.DoesNotContain(line.TrimEnd('\r'), c => char.IsControl(c) || c == '\u202e');
    }

    [Fact]
    public void CloudLoggingJson_LoneSurrogateInAValue_DoesNotThrow_AndIsVisible()
    {
        using var output = new StringWriter();
        var state = new CloudLoggingJsonFormatterTest.LogValues("Finding {FindingName}", ("FindingName", "x\ud800y\u202e"));

        new CloudLoggingJsonFormatter().Write(new LogEntry<CloudLoggingJsonFormatterTest.LogValues>(LogLevel.Warning, "Cat", default, state, null, (s, _) => s.Format()), null, output);

        var entry = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal("Finding x\\ud800y\\u202e", entry.GetProperty("message").GetString());
        Assert.Equal("x\\ud800y\\u202e", entry.GetProperty("FindingName").GetString());
    }
}
