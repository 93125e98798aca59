using System.CommandLine;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary><c>serve</c> (also the default with no arguments): runs the HTTP function on $PORT.</summary>
public static class ServeCommand
{
    public static Command Create(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var command = new Command("serve", "Run the HTTP function on $PORT (default 8080); the default command");
        command.SetAction((parse, cancellationToken) => RunAsync(parse, environment, cancellationToken));
        return command;
    }

    /// <summary>
    /// Reads the settings and builds the store before listening: a bad setting or a bucket without credentials
    /// stops the start with one line (exit 2), instead of a server that answers every delivery with a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, HostEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        var error = parse.InvocationConfiguration.Error;
        WebApplication app;
        try
        {
            var settings = FunctionSettings.From(environment.Variable);
            app = FunctionApp.Build([], settings, services => services.AddSingleton(environment.Credentials));
            _ = app.Services.GetRequiredService<IEvidenceStore>();
            StartupSweep.Run(app.Services);
        }
        catch (Exception ex) when (ex is InvalidOperationException or EvidenceStoreConfigurationException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }

        await using (app)
        {
            StartupWarmup.Start(app);
            await app.RunAsync(cancellationToken);
        }

        return ExitCodes.Ok;
    }
}
