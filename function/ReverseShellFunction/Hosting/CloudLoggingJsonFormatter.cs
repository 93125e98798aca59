using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

using ReverseShellFunction.Text;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// One JSON object per line in the shape Cloud Logging parses from a container's stdout: <c>severity</c>,
/// <c>message</c>, <c>time</c>, the template's named values as fields, scope values, and the exception.
/// Used when <c>K_SERVICE</c> is set, i.e. on Cloud Run.
/// </summary>
public sealed class CloudLoggingJsonFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "cloud-logging";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("severity", Severity(logEntry.LogLevel));
            // Visible: an unpaired surrogate from a finding would make the JSON writer throw; control and bidi
            // characters are escaped again so a person reading the raw line sees them for what they are.
            json.WriteString("message", DisplayText.Visible(logEntry.Exception is null ? message : $"{message}\n{logEntry.Exception}", 256 * 1024).Replace("\\u000a", "\n", StringComparison.Ordinal));
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Id != 0)
            {
                json.WriteNumber("eventId", logEntry.EventId.Id);
            }

            WriteFields(json, logEntry.State as IEnumerable<KeyValuePair<string, object?>>);
            scopeProvider?.ForEachScope((scope, writer) => WriteFields(writer, scope as IEnumerable<KeyValuePair<string, object?>>), json);
            json.WriteEndObject();
        }

        textWriter.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteFields(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>>? fields)
    {
        if (fields is null)
        {
            return;
        }

        foreach (var (key, value) in fields)
        {
            if (key == "{OriginalFormat}")
            {
                continue;
            }

            // Numbers and booleans stay typed so log-based metrics can use them; everything else is text.
            switch (value)
            {
                case null:
                    json.WriteNull(key);
                    break;
                case int or long or double or float or decimal:
                    json.WriteNumber(key, Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case bool flag:
                    json.WriteBoolean(key, flag);
                    break;
                default:
                    json.WriteString(key, DisplayText.Visible(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), 64 * 1024));
                    break;
            }
        }
    }

    private static string Severity(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "DEFAULT",
    };
}
