using ReverseShellFunction.Hosting;

namespace Microsoft.Extensions.Logging;

/// <summary>Chooses the console format: Cloud Logging JSON on Cloud Run, readable lines elsewhere.</summary>
public static class LoggingBuilderExtensions
{
    public static ILoggingBuilder AddFunctionConsole(this ILoggingBuilder logging, bool cloudLoggingJson, bool toStandardError = false)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();

        // The CLI prints its results on stdout; its logs go to stderr so the two never mix.
        var stderrThreshold = toStandardError ? LogLevel.Trace : LogLevel.None;
        if (cloudLoggingJson)
        {
            logging.AddConsole(options =>
                {
                    options.FormatterName = CloudLoggingJsonFormatter.FormatterName;
                    options.LogToStandardErrorThreshold = stderrThreshold;
                })
                .AddConsoleFormatter<CloudLoggingJsonFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        }
        else
        {
            logging.AddConsole(options =>
                {
                    options.FormatterName = PlainConsoleFormatter.FormatterName;
                    options.LogToStandardErrorThreshold = stderrThreshold;
                })
                .AddConsoleFormatter<PlainConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        }

        // ASP.NET Core's per-request information lines would drown the function's own.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return logging;
    }
}
