using System.CommandLine;

namespace ReverseShellFunction.Cli;

/// <summary>The executable's commands. No command at all runs <c>serve</c>.</summary>
public static class CommandLineApp
{
    public static RootCommand Create()
    {
        var store = new StoreOptions();
        var root = new RootCommand(
            "ReverseShellFunction: collects evidence for SCC Reverse Shell findings on Cloud Run, and lists, shows, downloads and verifies the stored bundles.");
        root.TreatUnmatchedTokensAsErrors = false;
        store.AddTo(root);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create(store));
        root.SetAction((parse, cancellationToken) => ServeCommand.RunAsync(parse, cancellationToken));
        return root;
    }
}
