using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Run;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Logging;
using ReverseShellFunction.Infrastructure.Run;
using ReverseShellFunction.Infrastructure.Scc;
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

    private CollectorHarness(FakeGoogleApis fake, CollectionOptions options, string? token, TimeSpan? attemptTimeout, TimeProvider time)
    {
        Fake = fake;
        Options = options;
        Time = time;
        Tokens = new FixedTokenSource(token);
        Client = new GoogleApiClient(_http, Tokens, Delays.Policy(attemptTimeout), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var root = fake.BaseUri.ToString().TrimEnd('/');
        Scc = new SccFindingsApi(Client, new SccEndpoints(root));
        Run = new CloudRunApi(Client, root);
        Coalescer = new LogReadCoalescer(time);
        Logging = new LoggingApi(Client, root, Coalescer);
        Staging = new StagingDirectory(_temp.Path);
    }

    public FakeGoogleApis Fake { get; }
    public CollectionOptions Options { get; }

    /// <summary>The collectors' clock; the fake's own is <see cref="FakeGoogleApisOptions.Clock"/>.</summary>
    public TimeProvider Time { get; }

    public LogReadCoalescer Coalescer { get; }
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
        return new CollectorHarness(
            fake,
            options ?? Defaults.Collection with { RedactionKey = "test-key"u8.ToArray() },
            withCredentials ? fake.AccessToken : null,
            attemptTimeout,
            fakeOptions?.Clock ?? TimeProvider.System);
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
        FindingAuthenticityCollector.CollectorName => new FindingAuthenticityCollector(Scc, Options, Time, NullLogger<FindingAuthenticityCollector>.Instance),
        RelatedFindingsCollector.CollectorName => new RelatedFindingsCollector(Scc, Options, Time, NullLogger<RelatedFindingsCollector>.Instance),
        CloudRunCollector.CollectorName => new CloudRunCollector(Run, Options, NullLogger<CloudRunCollector>.Instance),
        ContainerLogsCollector.CollectorName => new ContainerLogsCollector(Logging, Options, Time, NullLogger<ContainerLogsCollector>.Instance),
        AuditLogsCollector.CollectorName => new AuditLogsCollector(Logging, Options, Time, NullLogger<AuditLogsCollector>.Instance),
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
