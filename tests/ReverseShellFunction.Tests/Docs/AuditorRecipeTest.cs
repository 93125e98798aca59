using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Fakes.Tsa;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// The README's offline recipe for auditors (between the <c>&lt;!-- auditor-recipe --&gt;</c> markers), run by bash
/// line for line in a scratch folder, so the README cannot silently rot: <c>rsf</c> is this build's CLI as a
/// process, the bucket is the Cloud Storage fake, the TSA a real OpenSSL one. Only what the recipe leaves to its
/// reader is added: the part the function stores with the key the recipe made (between making the key and
/// <c>get</c>), the placeholders <c>EVIDENCE_BUCKET</c> and <c>BUNDLE_ID</c>, and the two keys of the rotation example.
/// </summary>
public sealed class AuditorRecipeTest
{
    private const string Bucket = "evidence-recipe";

    [Fact]
    public async Task TheReadmeRecipe_RunsAsWritten_EveryCheckSaysOk()
    {
        var recipe = Recipe(RepositoryFiles.Read("README.md"));
        using var temp = new TempFolder();
        await using var apis = await FakeGoogleApis.StartAsync();
        await using var storage = await FakeStorageServer.StartAsync();
        await using var tsa = await OpenSslTsa.StartAsync();
        File.Copy(tsa.CaCertificatePath, Path.Combine(temp.Path, "tsa-ca.pem"));

        // The function's side, which the recipe assumes has happened: a part sealed with the key step 1 made.
        var first = recipe.FindIndex(line => line.StartsWith("rsf ", StringComparison.Ordinal));
        Assert.True(first > 0, "the recipe makes the key before its first rsf command");
        var store = $"SIGNING_KEY_FILE=signing-key.pem TSA_URL={tsa.Url} EVIDENCE_BUCKET={Bucket} rsf replay --json {Quote(RepositoryFiles.Path("samples", "reverse-shell.pubsub-push.json"))} > replay.json\n"
            + "BUNDLE_ID=$(jq -r .result.bundleId replay.json)\n"
            + "openssl ecparam -name prime256v1 -genkey -noout | openssl pkey -pubout -out old.pem   # a retired key\n"
            + "cp key.pem new.pem                                                                    # the current one\n";
        var script = new StringBuilder()
            .AppendLine("set -euo pipefail")
            .AppendLine($"rsf() {{ dotnet {Quote(CliDll())} \"$@\"; }}")
            .AppendJoin('\n', recipe.Take(first)).AppendLine()
            .Append(store)
            .AppendJoin('\n', recipe.Skip(first).Select(Fill)).AppendLine()
            .ToString();
        var environment = new Dictionary<string, string>(apis.EnvironmentVariables) { ["STORAGE_EMULATOR_HOST"] = storage.EmulatorHost };

        var (code, output) = await BashAsync(script, temp.Path, environment);

        Assert.True(code == 0, $"the recipe failed (exit {code}):\n{script}\n---\n{output}");
        Assert.Contains("Verified OK", output, StringComparison.Ordinal);
        Assert.Contains("Verification: OK", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);

        // The key id the recipe prints is the one the part's seal names.
        using var seal = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(temp.Path, "case", "part-1", "manifest.seal.json")));
        var keyId = seal.RootElement.GetProperty("keyId").GetString();
        Assert.StartsWith("local:sha256:", keyId, StringComparison.Ordinal);
        Assert.Contains(keyId!, output, StringComparison.Ordinal);
    }

    /// <summary>The recipe's lines: the bash block between the markers, without its fences.</summary>
    private static List<string> Recipe(string readme)
    {
        const string begin = "<!-- auditor-recipe";
        const string end = "<!-- /auditor-recipe -->";
        var from = readme.IndexOf(begin, StringComparison.Ordinal);
        var to = readme.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "README.md has the auditor-recipe markers");
        var lines = readme[from..to].Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal("```bash", lines[0]);
        Assert.Equal("```", lines[^1]);
        return lines[1..^1];
    }

    /// <summary>The README's placeholders, as a reader fills them in.</summary>
    private static string Fill(string line) => line
        .Replace("--bucket EVIDENCE_BUCKET ", $"--bucket {Bucket} ", StringComparison.Ordinal)
        .Replace("BUNDLE_ID", "\"$BUNDLE_ID\"", StringComparison.Ordinal);

    /// <summary>The function's own dll, copied beside this test assembly with its runtimeconfig.json.</summary>
    private static string CliDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ReverseShellFunction.dll");
        Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), $"{dll} can run as a process");
        return dll;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<(int Code, string Output)> BashAsync(string script, string directory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // Nothing of the test run's own settings leaks into the commands.
        foreach (var name in new[] { "EVIDENCE_BUCKET", "EVIDENCE_DIR", "KMS_KEY_VERSION", "SIGNING_KEY_FILE", "TSA_URL", "GOOGLE_APPLICATION_CREDENTIALS" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }
}
