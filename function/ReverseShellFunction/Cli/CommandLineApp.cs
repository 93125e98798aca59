using System.CommandLine;
using System.CommandLine.Parsing;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary>The executable's commands. No arguments at all, or <c>serve</c>, runs the HTTP function; anything else is a command.</summary>
public static class CommandLineApp
{
    public static RootCommand Create() => Create(HostEnvironment.Process);

    /// <summary>Testable: the tests give the commands their own environment.</summary>
    internal static RootCommand Create(HostEnvironment environment) => Create(new StoreOptions(environment));

    internal static RootCommand Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var root = new RootCommand(
            "ReverseShellFunction: collects evidence for SCC Reverse Shell findings on Cloud Run, and lists, shows, downloads and verifies the stored bundles.");
        store.AddTo(root);
        root.Subcommands.Add(ServeCommand.Create(store.Environment));
        root.Subcommands.Add(ReplayCommand.Create(store));
        root.Subcommands.Add(ListCommand.Create(store));
        root.Subcommands.Add(ShowCommand.Create(store));
        root.Subcommands.Add(GetCommand.Create(store));
        root.Subcommands.Add(VerifyCommand.Create(store));
        root.Subcommands.Add(CompleteCommand.Create(store));
        root.SetAction((parse, cancellationToken) => ServeCommand.RunAsync(parse, store.Environment, cancellationToken));
        return root;
    }

    public static Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken = default) =>
        InvokeAsync(Create(), args, null, cancellationToken);

    /// <summary>
    /// Parses and runs. A command line that does not parse is a usage error (2), reported in one line with the
    /// nearest command when a word looks like a typo: it never falls through to starting the server. A bug is
    /// exit code 70 with its stack trace, never a code that reads as a finding about the data.
    /// </summary>
    internal static async Task<int> InvokeAsync(RootCommand root, string[] args, InvocationConfiguration? configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        var parse = root.Parse(args);
        var error = configuration?.Error ?? Console.Error;
        if (parse.Errors.Count > 0)
        {
            await error.WriteLineAsync($"error: {UsageMessage(root, parse)}");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(WithoutDefaultHandler(configuration), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Usage;
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"internal error (a bug; please report it with this text): {ex}");
            return ExitCodes.InternalError;
        }
    }

    private static InvocationConfiguration WithoutDefaultHandler(InvocationConfiguration? configuration)
    {
        var copy = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = configuration?.ProcessTerminationTimeout };
        if (configuration is not null)
        {
            copy.Output = configuration.Output;
            copy.Error = configuration.Error;
        }

        return copy;
    }

    private static string UsageMessage(RootCommand root, ParseResult parse)
    {
        var message = Audit.AuditText.Clean(parse.Errors[0].Message, 200);
        var commands = root.Subcommands.Select(c => c.Name).ToList();
        var unknown = parse.UnmatchedTokens.Count > 0 ? parse.UnmatchedTokens[0] : parse.Tokens.FirstOrDefault(t => t.Type == TokenType.Argument)?.Value;
        if (parse.CommandResult.Command == root && unknown is not null && !unknown.StartsWith('-'))
        {
            var nearest = Suggestions.Nearest(unknown, commands);
            return nearest is null
                ? $"'{Audit.AuditText.Clean(unknown, 60)}' is not a command; the commands are {string.Join(", ", commands)} (see --help)."
                : $"'{Audit.AuditText.Clean(unknown, 60)}' is not a command; did you mean '{nearest}'? (see --help)";
        }

        return $"{message} (see {parse.CommandResult.Command.Name} --help)";
    }
}
