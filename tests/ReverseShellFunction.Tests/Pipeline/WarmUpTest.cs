using ReverseShellFunction.Collection;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>
/// The start-up warm-up assembles a part the way every event does after its collectors, and throws it away:
/// it must never reach the store, a collector or the scheduler, and the app's own warm-up must run to the end
/// (it swallows its failures, so only its answer shows that the sample still decodes and assembles).
/// </summary>
public sealed class WarmUpTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task WarmUp_AssemblesAPart_WithoutTheStoreOrAnyCollector()
    {
        var collector = new CountingCollector();
        var (_, function) = Pipelines.Build(new FailingStore(), [collector]);

        var (bytes, files) = await function.WarmUpAsync(TestData.Sample("reverse-shell.notification.json"), CancellationToken.None);

        Assert.True(bytes > 0, "a zip was assembled");
        Assert.True(files >= 5, $"the manifest listed the notification, the summaries and the report ({files} files)");
        Assert.Equal(0, collector.Runs);
    }

    [Fact]
    public async Task AppWarmUp_RunsEveryStep_AndLeavesTheStoreEmpty()
    {
        await using var host = await FunctionHost.StartAsync(new Dictionary<string, string>(), new LocalEvidenceStore(_folder.Path));

        var warmed = await StartupWarmup.RunAsync(host.Services, CancellationToken.None);

        Assert.True(warmed, "every step of the warm-up ran (the log says why when not)");
        Assert.Empty(Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    private sealed class CountingCollector : ICollector
    {
        private int _runs;

        public string Name => "counting";

        public int Runs => _runs;

        public Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            return Task.FromResult(new CollectorReport { Name = Name, Status = CollectorStatus.Ok });
        }
    }
}
