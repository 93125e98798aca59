using System.CommandLine;
using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Tsa;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>
/// The whole function as deployed (AddEvidencePipeline), sealing through the real Cloud KMS adapter against the
/// KMS fake and the real RFC 3161 client against an OpenSSL TSA, into a folder store. Only the token source and
/// retry waits are swapped; the environment is this harness's, never the process's.
/// </summary>
internal sealed class CustodyHarness : IAsyncDisposable
{
    private readonly TempFolder _temp = new();

    private CustodyHarness(FakeGoogleApis fake, OpenSslTsa tsa)
    {
        Fake = fake;
        Tsa = tsa;
        EvidenceDir = Path.Combine(_temp.Path, "evidence");
    }

    public FakeGoogleApis Fake { get; }

    public OpenSslTsa Tsa { get; }

    public string EvidenceDir { get; }

    public string TempPath => _temp.Path;

    public static async Task<CustodyHarness> StartAsync() => new(await FakeGoogleApis.StartAsync(), await OpenSslTsa.StartAsync());

    /// <summary>The variables a KMS-sealing deployment sets, pointed at the fakes.</summary>
    public Dictionary<string, string> KmsEnvironment() => new(Fake.EnvironmentVariables)
    {
        ["EVIDENCE_DIR"] = EvidenceDir,
        ["KMS_KEY_VERSION"] = FakeKms.DefaultKeyVersion,
        ["TSA_URL"] = Tsa.Url.ToString(),
    };

    /// <summary>Runs one notification through the pipeline built from <paramref name="variables"/>.</summary>
    public async Task<PipelineResult> ReplayAsync(IReadOnlyDictionary<string, string> variables, byte[]? notification = null, string? token = "fake")
    {
        var settings = FunctionSettings.From(name => variables.GetValueOrDefault(name));
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Critical));
        services.AddSingleton<IAccessTokenSource>(new FixedTokenSource(token == "fake" ? Fake.AccessToken : token));
        services.AddSingleton(new RecordedDelays().Policy(TimeSpan.FromSeconds(5)));
        services.AddEvidencePipeline(settings);
        await using var provider = services.BuildServiceProvider();
        var body = notification is null ? TestData.Sample("reverse-shell.pubsub-push.json") : Notifications.PushBody(notification);
        var raw = RawDelivery.FromBytes(
            new Dictionary<string, string> { ["content-type"] = "application/json" }, body, DateTimeOffset.UtcNow, DeliverySource.Replay, "custody-test");
        return await provider.GetRequiredService<IntakeProcessor>().ProcessAsync(raw, CancellationToken.None);
    }

    /// <summary>Unzips the stored bundle into a fresh folder, as a responder would, and returns it.</summary>
    public string Unzip(PipelineResult result)
    {
        var zip = Path.Combine(EvidenceDir, result.IndexEntry!.Bundle.ObjectName);
        var folder = Path.Combine(_temp.Path, "unzipped-" + Guid.NewGuid().ToString("N"));
        ZipFile.ExtractToDirectory(zip, folder);
        return folder;
    }

    /// <summary>Writes text to a file in the harness's folder and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs the real command line with the given environment (none of the process's).</summary>
    public static async Task<CliResult> CliAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(name => environment.GetValueOrDefault(name)));
        var exitCode = await CommandLineApp.InvokeAsync(root, args, configuration, CancellationToken.None);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        await Tsa.DisposeAsync();
        _temp.Dispose();
    }
}
