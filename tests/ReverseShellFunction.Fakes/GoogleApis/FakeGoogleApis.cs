using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ReverseShellFunction.Fakes.Definitions;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// SCC v2 ListFindings, Cloud Run Admin v2, Cloud Logging v2 entries:list, Cloud KMS, Cloud Tasks and the
/// metadata server on one Kestrel listener at 127.0.0.1. Point SCC_API_ENDPOINT, RUN_API_ENDPOINT,
/// LOGGING_API_ENDPOINT, KMS_API_ENDPOINT and CLOUD_TASKS_API_ENDPOINT at <see cref="BaseUri"/> and
/// GCE_METADATA_HOST at <see cref="MetadataHost"/>. APIs answer only requests that carry
/// <c>Authorization: Bearer</c> with the token the metadata server issued (401 otherwise).
/// </summary>
public sealed class FakeGoogleApis : IAsyncDisposable
{
    // Paths none of the fake's APIs claim are held against an empty definition: every one is refused.
    private static readonly ApiDefinition s_unserved = ApiDefinition.Load("none");

    private readonly WebApplication _app;
    private readonly FakeGoogleApisOptions _options;
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private readonly FakeMetadata _metadata;
    private readonly FakeScc _scc;
    private readonly FakeRun _run;
    private readonly FakeLogging _logging;
    private long _latencyTicks;

    private FakeGoogleApis(WebApplication app, FakeGoogleApisOptions options)
    {
        _app = app;
        _options = options;
        _latencyTicks = options.Latency.Ticks;
        Data = new FakeGoogleData(options);
        var tokens = new FakePageTokens();
        _metadata = new FakeMetadata(options);
        _scc = new FakeScc(Data, options, tokens);
        _run = new FakeRun(Data);
        _logging = new FakeLogging(Data, options, tokens);
        CloudTasks = new FakeCloudTasks(options);
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary><c>127.0.0.1:port</c>, the form GCE_METADATA_HOST takes.</summary>
    public string MetadataHost => BaseUri.Authority;

    public string AccessToken => _options.AccessToken;

    public FakeGoogleData Data { get; }

    /// <summary>Cloud KMS signing keys; point KMS_API_ENDPOINT at <see cref="BaseUri"/>.</summary>
    public FakeKms Kms { get; } = new();

    /// <summary>Cloud Tasks queues, their tasks and dispatches; point CLOUD_TASKS_API_ENDPOINT at <see cref="BaseUri"/>.</summary>
    public FakeCloudTasks CloudTasks { get; }

    public FakeFaults Faults { get; } = new();

    /// <summary>
    /// What this fake refused because Google's API definition does not allow it, and answers of its own that broke
    /// the response schema; <see cref="DisposeAsync"/> throws while anything is kept.
    /// </summary>
    public ApiConformance Conformance { get; } = new();

    /// <summary>
    /// Waited before every request (metadata server included) is handled, as a network round trip would; starts
    /// as <see cref="FakeGoogleApisOptions.Latency"/> and may be changed at any time. Faults' delays come on top.
    /// </summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> Requests => [.. _requests];

    /// <summary>The settings that point the function here, e.g. for <c>export</c> lines in a demo.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => new Dictionary<string, string>
    {
        ["SCC_API_ENDPOINT"] = BaseUri.ToString().TrimEnd('/'),
        ["RUN_API_ENDPOINT"] = BaseUri.ToString().TrimEnd('/'),
        ["LOGGING_API_ENDPOINT"] = BaseUri.ToString().TrimEnd('/'),
        ["GCE_METADATA_HOST"] = MetadataHost,
        ["KMS_API_ENDPOINT"] = BaseUri.ToString().TrimEnd('/'),
        ["CLOUD_TASKS_API_ENDPOINT"] = BaseUri.ToString().TrimEnd('/'),
    };

    public static async Task<FakeGoogleApis> StartAsync(FakeGoogleApisOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeGoogleApisOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGoogleApis(app, options);
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUri = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return fake;
    }

    /// <summary>How many requests reached <paramref name="api"/>.</summary>
    public int CountRequests(FakeApi api) => _requests.Count(r => r.Api == api);

    public async ValueTask DisposeAsync()
    {
        await CloudTasks.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Conformance.ThrowIfAny("The Google APIs fake");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "/";
        var body = HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method) ? await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted) : null;
        FakeApi? api = FakeMetadata.Claims(path) ? FakeApi.Metadata
            : path == FakeLogging.Path ? FakeLogging.Classify(body)
            : FakeKms.Claims(path) ? FakeApi.Kms
            : FakeScc.Claims(path) ? FakeApi.Scc
            : FakeCloudTasks.Claims(path) ? FakeApi.CloudTasks
            : FakeRun.Claims(path) ? FakeApi.Run
            : null;
        var authorized = context.Request.Headers.Authorization == $"Bearer {_options.AccessToken}";

        // Logged before the answer's first byte leaves, so a client that has its answer finds its request logged;
        // an answer that never starts (lost on purpose) is logged when handling ends.
        var logged = 0;
        void Log()
        {
            if (Interlocked.Exchange(ref logged, 1) == 0)
            {
                _requests.Enqueue(new FakeRequest(
                    api,
                    context.Request.Method,
                    path,
                    context.Request.QueryString.Value ?? "",
                    body,
                    authorized,
                    context.Response.StatusCode,
                    context.Request.Headers.Where(h => h.Key != "Authorization").ToDictionary(h => h.Key, h => h.Value.ToString()))
                {
                    ArrivedAt = arrivedAt,
                    QuotaMinute = context.Items.TryGetValue(FakeLogging.QuotaMinuteItem, out var minute) ? (long?)minute : null,
                });
            }
        }

        context.Response.OnStarting(() =>
        {
            Log();
            return Task.CompletedTask;
        });
        try
        {
            await DispatchAsync(context, api, body, authorized);
        }
        finally
        {
            Log();
        }
    }

    private async Task DispatchAsync(HttpContext context, FakeApi? api, string? body, bool authorized)
    {
        if (Latency is { Ticks: > 0 } latency)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        // Held against the definition before any fault: a request Google would refuse is refused, whatever is armed.
        if (api is not FakeApi.Metadata && !await ConformsAsync(context, api, body))
        {
            return;
        }

        if (api is { } target && Faults.Next(target) is { } fault)
        {
            fault.OnApplied?.Invoke();
            await Task.Delay(fault.Delay, context.RequestAborted);
            if (fault.StatusCode is { } code)
            {
                await FakeResponses.ErrorAsync(context, code, fault.Status, fault.Message, fault.RetryAfter);
                return;
            }

            if (fault.LoseAnswer)
            {
                // Handled for real, but the answer goes nowhere and the connection is reset before anything is sent.
                context.Response.Body = Stream.Null;
                await HandleApiAsync(context, api, body, authorized);
                context.Abort();
                return;
            }
        }

        await HandleApiAsync(context, api, body, authorized);
    }

    /// <summary>Holds the request against its API's definition; false (answered already) when it does not conform.</summary>
    private async Task<bool> ConformsAsync(HttpContext context, FakeApi? api, string? body)
    {
        var path = context.Request.Path.Value ?? "/";
        var definition = api switch
        {
            FakeApi.Scc => ApiDefinition.SecurityCenter,
            FakeApi.Run => ApiDefinition.Run,
            FakeApi.ContainerLogs or FakeApi.AuditLogs => ApiDefinition.Logging,
            FakeApi.Kms => ApiDefinition.Kms,
            FakeApi.CloudTasks => ApiDefinition.CloudTasks,
            _ => null,
        };
        if (definition is null)
        {
            // No API of the fake's serves this path: Google would not either.
            await FakeResponses.NotInDefinitionAsync(context, Conformance.CheckRequest(context, s_unserved, path, body), false);
            return false;
        }

        context.Items[FakeResponses.Conformance] = Conformance;
        var problems = Conformance.CheckRequest(context, definition, path, body);
        if (problems.Count > 0)
        {
            await FakeResponses.NotInDefinitionAsync(context, problems, definition.Find(context.Request.Method, path) is not null);
            return false;
        }

        return true;
    }

    private async Task HandleApiAsync(HttpContext context, FakeApi? api, string? body, bool authorized)
    {
        if (api is not FakeApi.Metadata && !authorized)
        {
            await FakeResponses.ErrorAsync(context, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
            return;
        }

        await (api switch
        {
            FakeApi.Metadata => _metadata.HandleAsync(context),
            FakeApi.Scc => _scc.HandleAsync(context, body),
            FakeApi.Run => _run.HandleAsync(context),
            FakeApi.Kms => Kms.HandleAsync(context, body),
            FakeApi.CloudTasks => CloudTasks.HandleAsync(context, body),
            FakeApi.ContainerLogs or FakeApi.AuditLogs => _logging.HandleAsync(context, body ?? "", api.Value),
            _ => FakeResponses.NotFoundAsync(context, context.Request.Path.Value ?? "/"),
        });
    }
}
