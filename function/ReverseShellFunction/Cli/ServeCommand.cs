using System.CommandLine;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary><c>serve</c> (also the default with no arguments): runs the HTTP function on $PORT.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the HTTP function on $PORT (default 8080); the default command");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    /// <summary>Unmatched tokens go to the host, as ASP.NET Core arguments (the test host passes some).</summary>
    public static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        FunctionSettings settings;
        try
        {
            settings = FunctionSettings.From(Environment.GetEnvironmentVariable);
        }
        catch (InvalidOperationException ex)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }

        await using var app = FunctionApp.Build([.. parse.UnmatchedTokens], settings);
        await app.RunAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}
