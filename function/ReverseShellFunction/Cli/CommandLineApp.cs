using System.CommandLine;

namespace ReverseShellFunction.Cli;

/// <summary>The executable's commands. No command at all runs <c>serve</c>.</summary>
public static class CommandLineApp
{
    public static RootCommand Create() => Create(new StoreOptions());

    /// <summary>Testable: the tests give the store options their own environment.</summary>
    internal static RootCommand Create(StoreOptions store)
    {
        var root = new RootCommand(
            "ReverseShellFunction: collects evidence for SCC Reverse Shell findings on Cloud Run, and lists, shows, downloads and verifies the stored bundles.");
        root.TreatUnmatchedTokensAsErrors = false;
        store.AddTo(root);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create(store));
        root.Subcommands.Add(ListCommand.Create(store));
        root.Subcommands.Add(ShowCommand.Create(store));
        root.Subcommands.Add(GetCommand.Create(store));
        root.Subcommands.Add(VerifyCommand.Create(store));
        root.SetAction((parse, cancellationToken) => ServeCommand.RunAsync(parse, cancellationToken));
        return root;
    }

    /// <summary>
    /// Parses and runs. System.CommandLine answers a parse error with exit code 1, which here means "a problem
    /// was found"; a command line it cannot parse is a usage error, 2, like every other usage error.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken = default) =>
        InvokeAsync(Create(), args, null, cancellationToken);

    internal static async Task<int> InvokeAsync(RootCommand root, string[] args, InvocationConfiguration? configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        var parse = root.Parse(args);
        var exitCode = await parse.InvokeAsync(configuration, cancellationToken);
        return parse.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }
}
