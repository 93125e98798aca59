using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Readable single lines for a terminal (serve without <c>K_SERVICE</c>, and the CLI's stderr):
/// <c>HH:mm:ss level category: message</c>. Log values carry finding text, which is hostile: every line goes
/// through <see cref="DisplayText.Visible"/>, so ESC, OSC, BEL, NUL, CR and bidi overrides are shown as
/// <c>\uXXXX</c> and cannot drive the terminal or disguise a path. An exception keeps its line breaks.
/// </summary>
public sealed class PlainConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "plain-lines";

    private const int MaxMessageLength = 16 * 1024;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(DateTimeOffset.Now.ToString("HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(DisplayText.Visible(logEntry.Category, 200));
        textWriter.Write(": ");
        textWriter.WriteLine(DisplayText.Visible(message, MaxMessageLength));
        if (logEntry.Exception is { } exception)
        {
            foreach (var line in exception.ToString().Split('\n'))
            {
                textWriter.WriteLine(DisplayText.Visible(line.TrimEnd('\r'), MaxMessageLength));
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
