using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Deployment;

/// <summary>
/// Starts the built executable (its apphost, next to this assembly) the way the image does: the Dockerfile's
/// ENTRYPOINT, then its CMD or the arguments given to <c>docker run IMAGE …</c>, in the folder the image runs from,
/// with only the environment the test gives it. <c>serve</c> answers /ready and stores a delivery; <c>list</c> and
/// <c>verify</c> then read the same evidence folder. The collectors talk to the Google API fakes.
/// </summary>
public sealed partial class ImageEntrypointTest : IDisposable
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(30);
    private readonly TempFolder _evidence = new();
    private readonly TempFolder _home = new();

    public void Dispose()
    {
        _evidence.Dispose();
        _home.Dispose();
    }

    [Fact]
    public void Dockerfile_RunsTheExecutable_WithServeAsTheReplaceableDefault()
    {
        var image = ImageCommand.FromDockerfile();

        Assert.Equal(["./ReverseShellFunction"], image.Entrypoint);
        Assert.Equal(["serve"], image.Cmd);
        Assert.Equal("/app", image.WorkDir);
    }

    [Fact]
    public void Dockerfile_PinsItsBases_AndRestoresFromTheProjectFilesAlone()
    {
        var dockerfile = RepositoryFiles.Read("Dockerfile");
        var lines = dockerfile.Split('\n');

        var froms = lines.Select((line, index) => (line, index)).Where(l => l.line.StartsWith("FROM ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, froms.Length);
        foreach (var (line, index) in froms)
        {
            var image = Regex.Match(line, @"(?<name>\S+):(?<tag>[^@\s]+)@sha256:[0-9a-f]{64}\s");
            Assert.True(image.Success, $"not pinned by digest: {line}");

            // The tag the digest was taken from, as a comment right above.
            Assert.Equal($"# {image.Groups["name"].Value}:{image.Groups["tag"].Value}", lines[index - 1]);
        }

        Assert.Contains("--platform=linux/amd64", froms[^1].line, StringComparison.Ordinal);

        var restore = Array.FindIndex(lines, l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var sources = Array.FindIndex(lines, l => l.StartsWith("COPY function/ function/", StringComparison.Ordinal));
        Assert.True(restore > 0 && sources > restore, "the sources must be copied after the restore");
        foreach (var project in Directory.GetFiles(RepositoryFiles.Path("function"), "*.csproj", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryFiles.Root, project).Replace('\\', '/');
            var copy = Array.FindIndex(lines, l => l.StartsWith($"COPY {relative} ", StringComparison.Ordinal));
            Assert.True(copy >= 0 && copy < restore, $"{relative} must be copied before the restore");
        }
    }

    [Fact]
    public async Task Serve_List_And_Verify_RunAsTheImageRunsThem()
    {
        var image = ImageCommand.FromDockerfile();
        await using var apis = await FakeGoogleApis.StartAsync();
        var port = FreePort();
        var environment = new Dictionary<string, string>(apis.EnvironmentVariables)
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["EVIDENCE_DIR"] = _evidence.Path,
        };

        // docker run IMAGE: ENTRYPOINT + CMD.
        using (var server = Start(image.Arguments([]), environment))
        {
            // The first delivery of a cold process JITs the whole pipeline: on a loaded machine that alone can take seconds.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = s_commandTimeout };
            await WaitForReadyAsync(http, server);

            // The deployment check of terraform/README.md: the smoke-test notification, as Pub/Sub pushes it.
            using var body = new ByteArrayContent(PushBody(TestData.Sample("smoke-test.notification.json")));
            body.Headers.ContentType = new("application/json");
            using var stored = await http.PostAsync(new Uri("/", UriKind.Relative), body);
            var answer = await stored.Content.ReadAsStringAsync();
            Assert.True(stored.StatusCode == HttpStatusCode.OK, $"POST / answered {(int)stored.StatusCode}: {answer}");
            Assert.Contains("stored", answer, StringComparison.Ordinal);
            Stop(server);
        }

        var bundleId = Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(_evidence.Path, "index"), "*.json", SearchOption.AllDirectories).Single());

        // docker run IMAGE list …: the arguments replace CMD, so the command runs instead of the server.
        var list = await RunAsync(image.Arguments(["list", "--dir", _evidence.Path]), environment);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(bundleId[^12..], list.Output, StringComparison.Ordinal); // list prints the short id
        Assert.StartsWith("20000101T000000000Z-smoketest", bundleId, StringComparison.Ordinal);

        var onlySmokeTests = await RunAsync(image.Arguments(["list", "--service", "smoke-test-not-a-real-service", "--dir", _evidence.Path]), environment);
        Assert.True(onlySmokeTests.ExitCode == 0, onlySmokeTests.ToString());
        Assert.Contains(bundleId[^12..], onlySmokeTests.Output, StringComparison.Ordinal);
        var noneElse = await RunAsync(image.Arguments(["list", "--service", "checkout-api", "--dir", _evidence.Path]), environment);
        Assert.DoesNotContain(bundleId[^12..], noneElse.Output, StringComparison.Ordinal);

        var verify = await RunAsync(image.Arguments(["verify", "--all", "--dir", _evidence.Path]), environment);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("ok      " + bundleId, verify.Output, StringComparison.Ordinal);
        Assert.Contains("1 bundle(s) verified", verify.Output, StringComparison.Ordinal);

        // A damaged bundle makes the same command fail: the exit code is the one a scheduled check relies on.
        var bundle = Directory.GetFiles(Path.Combine(_evidence.Path, "bundles"), "*.zip", SearchOption.AllDirectories).Single();
        File.SetAttributes(bundle, FileAttributes.Normal);
        var bytes = await File.ReadAllBytesAsync(bundle);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(bundle, bytes);
        var damaged = await RunAsync(image.Arguments(["verify", "--all", "--dir", _evidence.Path]), environment);
        Assert.True(damaged.ExitCode == 1, damaged.ToString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999")]
    public async Task Serve_WithABadPort_StopsWithOneLineNamingPort(string port)
    {
        var image = ImageCommand.FromDockerfile();
        var result = await RunAsync(image.Arguments([]), new Dictionary<string, string> { ["PORT"] = port, ["EVIDENCE_DIR"] = _evidence.Path });

        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.Contains("PORT", line, StringComparison.Ordinal);
        Assert.Contains($"'{port}'", line, StringComparison.Ordinal);
    }

    private static byte[] PushBody(byte[] notification) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        message = new
        {
            data = Convert.ToBase64String(notification),
            messageId = "1",
            publishTime = "2026-12-01T00:00:00.000Z",
            attributes = new { },
        },
        subscription = "projects/rsf-test-project/subscriptions/smoke-test",
    });

    private Process Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var process = new Process { StartInfo = Info(arguments, environment) };
        process.Start();
        process.StandardInput.Close();

        // Drained so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<CliResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        using var process = new Process { StartInfo = Info(arguments, environment) };
        process.Start();
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_commandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Stop(process);
            throw new TimeoutException($"{string.Join(' ', arguments)} did not end within {s_commandTimeout}");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Only what the test sets, never the test process's own variables; HOME is an empty folder so no
    /// developer credentials are found, and DOTNET_ROOT is the runtime running this test (the image is self-contained).
    /// </summary>
    private ProcessStartInfo Info(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var appFolder = AppContext.BaseDirectory;
        var executable = Path.GetFullPath(Path.Combine(appFolder, arguments[0]));
        Assert.True(File.Exists(executable), $"{executable} (the apphost) is missing: build the test project first");
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = appFolder,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["HOME"] = _home.Path;
        info.Environment["DOTNET_ROOT"] = DotnetRoot();
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    // .../dotnet/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll
    private static string DotnetRoot() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    private static async Task WaitForReadyAsync(HttpClient http, Process server)
    {
        var until = DateTime.UtcNow + s_commandTimeout;
        while (DateTime.UtcNow < until)
        {
            Assert.False(server.HasExited, $"serve exited with {(server.HasExited ? server.ExitCode : 0)} before it was ready");
            try
            {
                using var ready = await http.GetAsync(new Uri("/ready", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("serve did not answer GET /ready in time");
    }

    /// <summary>Ends the one process this test started, by its handle.</summary>
    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The runtime stage's WORKDIR, ENTRYPOINT and CMD (exec form), read from the Dockerfile.</summary>
    private sealed partial record ImageCommand(string WorkDir, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd)
    {
        public static ImageCommand FromDockerfile()
        {
            var dockerfile = RepositoryFiles.Read("Dockerfile");
            var stages = dockerfile.Split("\nFROM ", StringSplitOptions.None);
            var last = stages[^1];
            return new ImageCommand(
                Instruction(last, "WORKDIR").Trim(),
                ExecForm(Instruction(last, "ENTRYPOINT")),
                ExecForm(Instruction(last, "CMD")));
        }

        /// <summary>docker run semantics: arguments after the image replace CMD; none keep it.</summary>
        public IReadOnlyList<string> Arguments(IReadOnlyList<string> runArguments) =>
            [.. Entrypoint, .. runArguments.Count > 0 ? runArguments : Cmd];

        private static string Instruction(string stage, string name)
        {
            var matches = Regex.Matches(stage, $@"^{name}\s+(.+)$", RegexOptions.Multiline);
            Assert.True(matches.Count > 0, $"the Dockerfile's runtime stage has no {name}");
            return matches[^1].Groups[1].Value;
        }

        private static string[] ExecForm(string value)
        {
            var array = JsonSerializer.Deserialize<string[]>(value.Trim());
            Assert.True(array is { Length: > 0 }, $"expected the exec (JSON array) form, found {value}");
            return array;
        }
    }
}
