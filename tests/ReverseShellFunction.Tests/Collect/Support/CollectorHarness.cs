using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Collect.GoogleApis;
using ReverseShellFunction.Collect.Logs;
using ReverseShellFunction.Collect.Run;
using ReverseShellFunction.Collect.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>
/// One fake Google APIs server, the real adapters and collectors pointed at it, and a staging folder to
/// collect into. Waits between retries are recorded, not slept.
/// </summary>
internal sealed class CollectorHarness : IAsyncDisposable
{
    private readonly TempFolder _temp = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private CollectorHarness(FakeGoogleApis fake, CollectionOptions options, string? token, TimeSpan? attemptTimeout)
    {
        Fake = fake;
        Options = options;
        Tokens = new FixedTokenSource(token);
        Client = new GoogleApiClient(_http, Tokens, Delays.Policy(attemptTimeout), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var root = fake.BaseUri.ToString().TrimEnd('/');
        Scc = new SccFindingsApi(Client, root);
        Run = new CloudRunApi(Client, root);
        Logging = new LoggingApi(Client, root);
        Staging = new StagingDirectory(_temp.Path);
    }

    public FakeGoogleApis Fake { get; }
    public CollectionOptions Options { get; }
    public FixedTokenSource Tokens { get; }
    public RecordedDelays Delays { get; } = new();
    public GoogleApiClient Client { get; }
    public SccFindingsApi Scc { get; }
    public CloudRunApi Run { get; }
    public LoggingApi Logging { get; }
    public StagingDirectory Staging { get; }

    public static async Task<CollectorHarness> StartAsync(
        FakeGoogleApisOptions? fakeOptions = null,
        CollectionOptions? options = null,
        bool withCredentials = true,
        TimeSpan? attemptTimeout = null)
    {
        var fake = await FakeGoogleApis.StartAsync(fakeOptions);
        return new CollectorHarness(fake, options ?? new CollectionOptions { RedactionKey = "test-key"u8.ToArray() }, withCredentials ? fake.AccessToken : null, attemptTimeout);
    }

    /// <summary>The sample finding's context, optionally pointed at another Cloud Run resource.</summary>
    public static CollectionContext SampleContext(string? resourceName = null)
    {
        var notification = NotificationDecoder.Parse(TestData.Sample("reverse-shell.notification.json"), ReverseShellFunction.Tests.Support.PipelineHarness.Now);
        return new CollectionContext
        {
            Notification = notification,
            Target = CloudRunTarget.TryParse(resourceName ?? notification.Finding.ResourceName),
            EventTime = notification.EventTime,
        };
    }

    public ICollector Collector(string name) => name switch
    {
        RelatedFindingsCollector.CollectorName => new RelatedFindingsCollector(Scc, Options, NullLogger<RelatedFindingsCollector>.Instance),
        CloudRunCollector.CollectorName => new CloudRunCollector(Run, Options, NullLogger<CloudRunCollector>.Instance),
        ContainerLogsCollector.CollectorName => new ContainerLogsCollector(Logging, Options, NullLogger<ContainerLogsCollector>.Instance),
        AuditLogsCollector.CollectorName => new AuditLogsCollector(Logging, Options, NullLogger<AuditLogsCollector>.Instance),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown collector"),
    };

    public Task<CollectorReport> CollectAsync(string collector, CollectionContext? context = null, CancellationToken cancellationToken = default) =>
        Collector(collector).CollectAsync(context ?? SampleContext(), Staging, cancellationToken);

    public string ReadText(string path) => File.ReadAllText(Staging.PathOf(path));

    public string[] ReadLines(string path) => File.ReadAllLines(Staging.PathOf(path));

    public bool Exists(string path) => File.Exists(Staging.PathOf(path));

    /// <summary>Every byte the collectors wrote, as text, to search for things that must not be there.</summary>
    public string AllWrittenText() => string.Concat(Staging.Files.Select(ReadText));

    public async ValueTask DisposeAsync()
    {
        Staging.Dispose();
        _http.Dispose();
        _temp.Dispose();
        await Fake.DisposeAsync();
    }
}
