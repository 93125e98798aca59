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
        logging.AddConsole(options =>
            {
                options.FormatterName = cloudLoggingJson ? CloudLoggingJsonFormatter.FormatterName : PlainConsoleFormatter.FormatterName;
                options.LogToStandardErrorThreshold = toStandardError ? LogLevel.Trace : LogLevel.None;
            })
            .AddConsoleFormatter<CloudLoggingJsonFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>()
            .AddConsoleFormatter<PlainConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();

        // ASP.NET Core's per-request information lines would drown the function's own.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return logging;
    }
}
