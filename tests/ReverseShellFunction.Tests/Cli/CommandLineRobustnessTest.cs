using System.CommandLine;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>Commands as a user types them, typos included: a word that is not a command never starts the server.</summary>
public sealed class CommandLineRobustnessTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("lst", "did you mean 'list'?")]
    [InlineData("verfiy --all", "did you mean 'verify'?")]
    [InlineData("shwo x", "did you mean 'show'?")]
    [InlineData("help", "is not a command; the commands are serve, replay, list, show, get, verify")]
    [InlineData("serve list --bucket b", "Unrecognized command or argument 'list'")]
    [InlineData("list --bogus", "Unrecognized command or argument '--bogus'")]
    [InlineData("list --jsn", "'--jsn' is not an option of list; did you mean '--json'?")]
    [InlineData("list --widht 80", "did you mean '--width'?")]
    [InlineData("verify --al", "did you mean '--all'?")]
    [InlineData("get x --bukcet b", "did you mean '--bucket'?")]
    [InlineData("--dir /tmp/evidence", "--dir /tmp/evidence: options need a command, e.g. '")]
    [InlineData("--bucket b", "Only 'serve', or no arguments at all, starts the server.")]
    [InlineData("list --wide --width 80", "Give --width N or --wide, not both")]
    public async Task UnknownWord_IsUsageError_InOneLine_NeverServes(string commandLine, string expected)
    {
        var (code, output, error) = await RunAsync(_ => null, commandLine.Split(' '));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("/root/.dotnet/tools/rsf", "rsf")]
    [InlineData("/usr/local/bin/ReverseShellFunction", "ReverseShellFunction")]
    public void TheToolNamesItself_AsInvoked(string processPath, string expected) =>
        Assert.Equal(expected, CommandLineApp.InvokedName(processPath));

    [Theory]
    [InlineData("/usr/share/dotnet/dotnet")]
    [InlineData(null)]
    public void UnderDotnet_TheAssemblysNameIsUsed(string? processPath) =>
        Assert.Equal(RootCommand.ExecutableName, CommandLineApp.InvokedName(processPath));

    [Fact]
    public async Task Help_SaysTheInvokedName()
    {
        var output = new StringWriter();
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null), "rsf");
        var code = await CommandLineApp.InvokeAsync(root, ["list", "--help"], new InvocationConfiguration { Output = output, Error = output }, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("  rsf list [options]", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(RootCommand.ExecutableName + " list", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--width", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("verify --all")]
    [InlineData("show 20261128T211407482Z-abc-0123456789abcdef")]
    public async Task StoreThatDoesNotExist_IsUsageError_NotAnEmptyAudit(string commandLine)
    {
        var missing = Path.Combine(_folder.Path, "does", "not", "exist");

        var (code, output, error) = await RunAsync(_ => null, [.. commandLine.Split(' '), "--dir", missing]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"There is no evidence folder at {missing}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("verified", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyStore_SaysSo_DistinctlyFromAllVerified()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Path, "index"));
        Directory.CreateDirectory(Path.Combine(_folder.Path, "bundles"));
        var (code, output, _) = await RunAsync(_ => null, "verify", "--all", "--dir", _folder.Path);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Nothing to verify:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("bundle(s) verified", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify --all", false)]
    [InlineData("list", false)]
    [InlineData("verify --all", true)]
    [InlineData("show 20261128T211407482Z-abc-0123456789abcdef", true)]
    public async Task AFolderThatIsNotAStore_IsUsageError_AndAnExtractedCasePointsToExtracted(string commandLine, bool extractedCase)
    {
        // An empty folder, or one get made (it has case.json and part-1/, but no index/ or bundles/).
        if (extractedCase)
        {
            Directory.CreateDirectory(Path.Combine(_folder.Path, "part-1"));
            await File.WriteAllTextAsync(Path.Combine(_folder.Path, "case.json"), "{}");
        }

        var (code, output, error) = await RunAsync(_ => null, [.. commandLine.Split(' '), "--dir", _folder.Path]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"{_folder.Path} is not an evidence store: it has no index/, bundles/ or quarantine/ folder", error, StringComparison.Ordinal);
        Assert.Equal(extractedCase, error.Contains($"check it with verify --extracted {_folder.Path}", StringComparison.Ordinal));
        Assert.DoesNotContain("Nothing to verify", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayWithDirNamingAFile_IsUsageError()
    {
        var file = Path.Combine(_folder.Path, "file");
        await File.WriteAllTextAsync(file, "x");

        var (code, _, error) = await RunAsync(_ => null, "replay", "--dir", file, TestData.SamplePath("reverse-shell.pubsub-push.json"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal($"error: --dir {file} is a file, not an evidence folder.", error.Trim());
    }

    [Fact]
    public async Task ReplayIntoAFolderThatCannotBeCreated_ExitsThree_StoreFailure()
    {
        var file = Path.Combine(_folder.Path, "file");
        await File.WriteAllTextAsync(file, "x");

        var (code, _, error) = await RunAsync(_ => null, "replay", "--dir", Path.Combine(file, "evidence"), TestData.SamplePath("reverse-shell.pubsub-push.json"));

        Assert.Equal(ExitCodes.StoreFailure, code);
        Assert.Contains("error: the evidence store failed", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("list")]
    public async Task BucketWithoutCredentials_IsOneLine_Exit2(string command)
    {
        var variables = new Dictionary<string, string> { ["EVIDENCE_BUCKET"] = "evidence-bucket" };

        var (code, _, error) = await RunAsync(variables.GetValueOrDefault, command);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(
            "error: EVIDENCE_BUCKET (or --bucket) names a bucket, but no Google credentials were found: set GOOGLE_APPLICATION_CREDENTIALS, run 'gcloud auth application-default login', or run on Google Cloud.",
            error.Trim());
    }

    [Fact]
    public async Task BadSetting_IsOneLineNamingTheVariable_Exit2()
    {
        var variables = new Dictionary<string, string> { ["LOG_MAX_ENTRIES"] = "lots" };

        var (code, _, error) = await RunAsync(variables.GetValueOrDefault, "serve");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: LOG_MAX_ENTRIES must be", error.Trim(), StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("verfiy", "verify", 1)]
    [InlineData("lst", "list", 1)]
    [InlineData("list", "list", 0)]
    [InlineData("replya", "replay", 1)]
    [InlineData("get", "verify", 5)]
    public void Distance_CountsSwapsAsOneEdit(string typed, string candidate, int expected) =>
        Assert.Equal(expected, CommandLineApp.Distance(typed, candidate));

    private static async Task<(int Code, string Output, string Error)> RunAsync(Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = CommandLineApp.Create(HostEnvironment.Isolated(variables));
        var code = await CommandLineApp.InvokeAsync(root, args, new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
