using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// The read-only commands parse only the settings they use: a responder's shell with a stray or wrong write-side
/// variable (PORT, COMPLETION_URL, a collector's limit) can still list, show, get and verify.
/// </summary>
public abstract partial class AuditCommandsTest
{
    /// <summary>Each of these alone makes the function (and replay) refuse to start.</summary>
    private static readonly Dictionary<string, string> s_strayWriteSettings = new()
    {
        ["PORT"] = "abc",
        ["COMPLETION_URL"] = "x",
        ["LOG_MAX_ENTRIES"] = "lots",
        ["NOTIFY_TOPIC"] = "not-a-topic",
        ["TSA_URL"] = "ftp://tsa",
    };

    [Fact]
    public async Task StrayWriteSettings_StopTheWriteSide()
    {
        // The control: the same environment does reach the CLI, and a command that writes refuses it, naming PORT.
        var replay = await CliRun.RunAsync(Store, s_strayWriteSettings, "replay", TestData.SamplePath("reverse-shell.pubsub-push.json"));

        Assert.Equal(ExitCodes.Usage, replay.ExitCode);
        Assert.StartsWith("error: PORT must be a whole number", replay.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_IsNotStoppedByStrayWriteSettings()
    {
        var id = await SeedAsync();

        var result = await CliRun.RunAsync(Store, s_strayWriteSettings, "list");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains(id.Value[^12..], result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_IsNotStoppedByStrayWriteSettings()
    {
        var id = await SeedAsync();

        var result = await CliRun.RunAsync(Store, s_strayWriteSettings, "show", id.Value, "--json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains(id.Value, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_IsNotStoppedByStrayWriteSettings()
    {
        var id = await SeedAsync();
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "out");

        var result = await CliRun.RunAsync(Store, s_strayWriteSettings, "get", id.Value, "--out", folder);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "part-1", "manifest.json")), result.ToString());
    }

    [Fact]
    public async Task Verify_IsNotStoppedByStrayWriteSettings()
    {
        var id = await SeedAsync();

        var all = await CliRun.RunAsync(Store, s_strayWriteSettings, "verify", "--all", "--json");

        Assert.True(all.ExitCode == ExitCodes.Ok, all.ToString());
        var result = Assert.Single(JsonLines(all.Output));
        Assert.Equal(id.Value, result.GetProperty("bundleId").GetString());
        Assert.True(result.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Verify_ReadsKmsKeyVersion_OnlyWhenItTrustsThatKey()
    {
        await SeedAsync();
        var badKey = new Dictionary<string, string> { ["KMS_KEY_VERSION"] = "not-a-key-version" };

        // On a bucket, KMS_KEY_VERSION's key is the one trusted by default: a wrong one is a usage error naming
        // it. A folder, or key files given, never reads it.
        var byDefault = await CliRun.RunAsync(Store, badKey, "verify", "--all");
        var hashesOnly = await CliRun.RunAsync(Store, badKey, "verify", "--all", "--hashes-only");

        if (Store.StoreArgs[0] == "--bucket")
        {
            Assert.Equal(ExitCodes.Usage, byDefault.ExitCode);
            Assert.StartsWith("error: KMS_KEY_VERSION must be a key version's full name", byDefault.Error, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(byDefault.ExitCode == ExitCodes.Ok, byDefault.ToString());
        }

        Assert.True(hashesOnly.ExitCode == ExitCodes.Ok, hashesOnly.ToString());
    }
}
