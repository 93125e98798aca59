using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// The executable's commands. No arguments at all, or <c>serve</c>, runs the HTTP function; anything else is a
/// command, and options without one are a usage error (never a server on 0.0.0.0 that ignores them).
/// </summary>
public static class CommandLineApp
{
    /// <summary>Testable: the tests give the commands their own environment.</summary>
    internal static RootCommand Create(HostEnvironment environment, string? name = null)
    {
        var store = new StoreOptions(environment);
        name ??= InvokedName(Environment.ProcessPath);
        var root = new RootCommand(
            $"{name}: collects evidence for SCC Reverse Shell findings on Cloud Run, and lists, shows, downloads and verifies the stored bundles.");
        NameInHelp(root, name);
        store.AddTo(root);
        root.Subcommands.Add(ServeCommand.Create(store.Environment));
        root.Subcommands.Add(ReplayCommand.Create(store));
        root.Subcommands.Add(ListCommand.Create(store));
        root.Subcommands.Add(ShowCommand.Create(store));
        root.Subcommands.Add(GetCommand.Create(store));
        root.Subcommands.Add(VerifyCommand.Create(store));
        root.Subcommands.Add(CompleteCommand.Create(store));
        root.Subcommands.Add(QuarantineCommand.Create(store));
        root.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.Tokens.Count > 0)
            {
                // Only "serve", or nothing at all, serves: "rsf --dir X" is a forgotten command, not a server.
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"error: {string.Join(" ", parse.Tokens.Select(t => DisplayText.Visible(t.Value, 60)))}: options need a command, e.g. '{name} list --dir X'; the commands are {string.Join(", ", root.Subcommands.Select(c => c.Name))} (see --help). Only 'serve', or no arguments at all, starts the server.");
                return ExitCodes.Usage;
            }

            return await ServeCommand.RunAsync(parse, store.Environment, cancellationToken);
        });
        return root;
    }

    /// <summary>
    /// The name the program was started by: the .NET tool's command (<c>rsf</c>) or the executable's name; under
    /// <c>dotnet X.dll</c> or <c>dotnet run</c>, the assembly's.
    /// </summary>
    internal static string InvokedName(string? processPath)
    {
        var name = Path.GetFileNameWithoutExtension(processPath);
        return string.IsNullOrEmpty(name) || name.Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? RootCommand.ExecutableName : name;
    }

    /// <summary>Help's usage lines say the name as invoked: System.CommandLine takes the entry assembly's, which a .NET tool's shim hides.</summary>
    private static void NameInHelp(RootCommand root, string name)
    {
        if (name != RootCommand.ExecutableName && root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: System.CommandLine.Invocation.SynchronousCommandLineAction original } help)
        {
            help.Action = new NamedHelpAction(original, name);
        }
    }

    /// <summary>
    /// The library's own help, written into a buffer, with the executable's name in the usage lines replaced by the
    /// invoked name.
    /// </summary>
    private sealed class NamedHelpAction(System.CommandLine.Invocation.SynchronousCommandLineAction original, string name)
        : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            var text = new StringWriter();
            configuration.Output = text;
            try
            {
                original.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }

            output.Write(text.ToString().Replace("  " + RootCommand.ExecutableName + " ", "  " + name + " ", StringComparison.Ordinal));
            return ExitCodes.Ok;
        }
    }

    public static Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken = default) =>
        InvokeAsync(Create(HostEnvironment.Process), args, null, cancellationToken);

    /// <summary>
    /// Parses and runs. A command line that does not parse is a usage error (2), reported in one line with the
    /// nearest command when a word looks like a typo: it never falls through to starting the server. A bug is
    /// exit code 70 with its stack trace, never a code that reads as a finding about the data.
    /// </summary>
    internal static async Task<int> InvokeAsync(RootCommand root, string[] args, InvocationConfiguration? configuration, CancellationToken cancellationToken)
    {
        var parse = root.Parse(args);
        var error = configuration?.Error ?? Console.Error;
        // A parse error; or "verify --al": a command that takes any number of arguments takes a mistyped option as one; it is a typo.
        var usage = parse.Errors.Count > 0 ? UsageMessage(root, parse)
            : parse.Tokens.TakeWhile(t => t.Type != TokenType.DoubleDash).FirstOrDefault(t => t.Type == TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal) && t.Value.Length > 2) is { } stray
                ? OptionTypo(root, parse, stray.Value)
                : null;
        if (usage is not null)
        {
            await error.WriteLineAsync($"error: {usage}");
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

    private static InvocationConfiguration WithoutDefaultHandler(InvocationConfiguration? configuration) => new()
    {
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = configuration?.ProcessTerminationTimeout,
        Output = configuration?.Output ?? Console.Out,
        Error = configuration?.Error ?? Console.Error,
    };

    /// <summary>An option typo: the nearest option of the command (or one every command takes), if one is near.</summary>
    private static string? OptionTypo(RootCommand root, ParseResult parse, string typed)
    {
        var command = parse.CommandResult.Command;
        var options = command.Options.Concat(root.Options.Where(o => o.Recursive))
            .SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
        return Nearest(typed, options) is { } option
            ? $"'{DisplayText.Visible(typed, 60)}' is not an option of {command.Name}; did you mean '{option}'? (see {command.Name} --help)"
            : null;
    }

    private static string UsageMessage(RootCommand root, ParseResult parse)
    {
        var message = DisplayText.Visible(parse.Errors[0].Message, 200);
        var commands = root.Subcommands.Select(c => c.Name).ToList();
        var unknown = parse.UnmatchedTokens.Count > 0 ? parse.UnmatchedTokens[0] : parse.Tokens.FirstOrDefault(t => t.Type == TokenType.Argument)?.Value;
        if (unknown is not null && unknown.StartsWith('-') && OptionTypo(root, parse, unknown) is { } typo)
        {
            return typo;
        }

        if (parse.CommandResult.Command == root && unknown is not null && !unknown.StartsWith('-'))
        {
            var nearest = Nearest(unknown, commands);
            return nearest is null
                ? $"'{DisplayText.Visible(unknown, 60)}' is not a command; the commands are {string.Join(", ", commands)} (see --help)."
                : $"'{DisplayText.Visible(unknown, 60)}' is not a command; did you mean '{nearest}'? (see --help)";
        }

        return $"{message} (see {parse.CommandResult.Command.Name} --help)";
    }

    /// <summary>"Did you mean": the candidate within a small edit distance of what was typed.</summary>
    private static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        var lower = typed.ToLowerInvariant();
        return candidates
            .Select(candidate => (candidate, distance: Distance(lower, candidate)))
            .Where(c => c.distance <= Math.Max(1, c.candidate.Length / 3))
            .OrderBy(c => c.distance)
            .Select(c => c.candidate)
            .FirstOrDefault();
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps ("verfiy").</summary>
    internal static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
