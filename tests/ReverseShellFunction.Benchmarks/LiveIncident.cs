using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Fakes.GoogleApis;

namespace ReverseShellFunction.Benchmarks;

/// <summary>
/// What the completion scenarios share: fakes whose fixtures sit around now (the function process runs on the real
/// clock, so its log windows are open at delivery as in a real incident), a Cloud Tasks queue that dispatches to the
/// function's <c>/completions</c> with an OIDC token, findings on chosen services at chosen times, and the checks
/// on what the bucket ends with: every logical bundle's last part, its parts, and its log entries against the fixture.
/// </summary>
internal sealed class LiveIncident : IAsyncDisposable
{
    public const string QueueName = "projects/sec-tools-2231/locations/europe-west1/queues/evidence-completions";
    public const string Invoker = "reverse-shell-delivery@sec-tools-2231.iam.gserviceaccount.com";

    /// <summary>Small but real windows: the settings' ranges allow them, and the scenario then lasts minutes, not an hour.</summary>
    public static readonly IReadOnlyDictionary<string, string> WindowSettings = new Dictionary<string, string>
    {
        ["LOG_WINDOW_BEFORE_MINUTES"] = "30",
        ["LOG_WINDOW_AFTER_MINUTES"] = "1",
        ["LOG_INGESTION_DELAY_SECONDS"] = "10",
        ["RELATED_WINDOW_MINUTES"] = "1",
        ["LOGGING_QUOTA_PROJECT"] = "target",
    };

    /// <summary>The completion queue as terraform/completion.tf creates it with the variables' defaults.</summary>
    public static FakeTaskQueueSettings TerraformQueue => new()
    {
        Name = QueueName,
        MaxDispatchesPerSecond = 0.2,
        MaxConcurrentDispatches = 5,
        MaxAttempts = 30,
        MaxRetryDuration = TimeSpan.FromSeconds(90000),
        MinBackoff = TimeSpan.FromSeconds(60),
        MaxBackoff = TimeSpan.FromSeconds(3600),
        MaxDoublings = 4,
    };

    private readonly string _notification;
    private readonly string _tag = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
    private int _sent;

    private LiveIncident(FakeWorld world, ServerProcess function, string notification, DateTimeOffset anchor)
    {
        World = world;
        Function = function;
        _notification = notification;
        Anchor = anchor;
    }

    public FakeWorld World { get; }

    public ServerProcess Function { get; }

    /// <summary>The fixtures' event time: log entries from 25 minutes before to 4 minutes after it.</summary>
    public DateTimeOffset Anchor { get; }

    public static TimeSpan IngestionDelay => TimeSpan.FromSeconds(int.Parse(WindowSettings["LOG_INGESTION_DELAY_SECONDS"], CultureInfo.InvariantCulture));

    public static TimeSpan WindowAfter => TimeSpan.FromMinutes(int.Parse(WindowSettings["LOG_WINDOW_AFTER_MINUTES"], CultureInfo.InvariantCulture));

    public static TimeSpan WindowBefore => TimeSpan.FromMinutes(int.Parse(WindowSettings["LOG_WINDOW_BEFORE_MINUTES"], CultureInfo.InvariantCulture));

    /// <summary>Starts the fakes (fixtures at <paramref name="anchor"/>, the fake's ingestion delay as the function's setting) and the function on Cloud Tasks.</summary>
    public static async Task<LiveIncident> StartAsync(BenchContext context, FakeGoogleApisOptions options, FakeTaskQueueSettings queue, DateTimeOffset anchor, string logName)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var world = await FakeWorld.StartAsync(options with { EventTime = anchor, LogIngestionDelay = IngestionDelay, TaskQueues = [queue] });
        try
        {
            var port = ServerProcess.FreePort();
            var environment = new Dictionary<string, string>(world.Environment);
            foreach (var (name, value) in WindowSettings)
            {
                environment[name] = value;
            }

            environment["COMPLETION_QUEUE"] = queue.Name;
            environment["COMPLETION_URL"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/completions";
            environment["COMPLETION_SERVICE_ACCOUNT"] = Invoker;
            var function = ServerProcess.Start(context.Function, environment, context.LogPath(logName), port);
            await function.WaitReadyAsync(context.Http, TimeSpan.FromSeconds(60));
            return new LiveIncident(world, function, await File.ReadAllTextAsync(context.SamplePath), anchor);
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>A push delivery of a Reverse Shell finding with its own id on <paramref name="service"/> at <paramref name="eventTime"/>.</summary>
    public HttpRequestMessage Finding(string service, DateTimeOffset eventTime)
    {
        var index = Interlocked.Increment(ref _sent);
        var notification = JsonNode.Parse(_notification.Replace(FakeGoogleData.Service, service, StringComparison.Ordinal))!.AsObject();
        var finding = notification["finding"]!.AsObject();
        var id = $"live{_tag}{index.ToString("D6", CultureInfo.InvariantCulture)}";
        foreach (var field in new[] { "name", "canonicalName" })
        {
            var name = finding[field]!.GetValue<string>();
            finding[field] = name[..(name.LastIndexOf('/') + 1)] + id;
        }

        finding["eventTime"] = Rfc3339(eventTime);
        finding["createTime"] = Rfc3339(eventTime.AddSeconds(1));
        var push = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(notification.ToJsonString())),
                ["messageId"] = $"{_tag}-{index.ToString(CultureInfo.InvariantCulture)}",
                ["publishTime"] = Rfc3339(eventTime.AddSeconds(2)),
                ["attributes"] = new JsonObject(),
            },
            ["subscription"] = "projects/sec-tools-2231/subscriptions/benchmark",
        };
        return new HttpRequestMessage(HttpMethod.Post, Function.BaseUri)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(push.ToJsonString())) { Headers = { { "Content-Type", "application/json" } } },
        };
    }

    /// <summary>Every logical bundle in the bucket, from its index entries and parts.</summary>
    public IReadOnlyList<LogicalBundle> Bundles()
    {
        var index = World.Storage.Objects.List(FakeWorld.Bucket, "index/");
        var bundles = World.Storage.Objects.List(FakeWorld.Bucket, "bundles/").ToDictionary(o => o.Name, StringComparer.Ordinal);
        var result = new List<LogicalBundle>();
        foreach (var group in index.GroupBy(o => Stem(o.Name, ".json"), StringComparer.Ordinal))
        {
            var parts = new List<BundlePart>();
            foreach (var entry in group)
            {
                using var document = JsonDocument.Parse(entry.Content);
                var root = document.RootElement;
                var part = root.TryGetProperty("part", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 1;
                var state = root.GetProperty("summary").TryGetProperty("completion", out var completion) && completion.ValueKind == JsonValueKind.Object
                    ? completion.GetProperty("state").GetString() ?? "?"
                    : "none";
                var objectName = root.GetProperty("bundle").GetProperty("objectName").GetString()!;
                var (container, audit) = bundles.TryGetValue(objectName, out var zip) ? InsertIds(zip.Content) : ([], []);
                parts.Add(new BundlePart(part, state, entry.TimeCreated, objectName, bundles.ContainsKey(objectName), container, audit));
            }

            var bundleObjects = bundles.Keys.Count(k => Stem(k, ".zip") == group.Key);
            result.Add(new LogicalBundle(group.Key, [.. parts.OrderBy(p => p.Number)], bundleObjects));
        }

        return result;
    }

    /// <summary>
    /// The insertIds of the fixture's container and audit entries a finding on <paramref name="service"/> at
    /// <paramref name="eventTime"/> must end with: the configured windows widened to whole minutes, half-open.
    /// </summary>
    public (HashSet<string> Container, HashSet<string> Audit) Expected(string service, DateTimeOffset eventTime)
    {
        var end = Ceiling(eventTime + WindowAfter);
        return (
            InWindow(World.Apis.Data.ContainerEntries, service, Floor(eventTime - WindowBefore), end),
            InWindow(World.Apis.Data.AuditEntries, service, Floor(eventTime - TimeSpan.FromDays(7)), end));
    }

    /// <summary>The moment the finding's log windows have closed and Logging has caught up: when the last part can be collected.</summary>
    /// <summary>
    /// When to deliver, and where the events sit: 30 s into a minute that starts now at most 15 s old, so events of
    /// one minute are in the past at delivery with their windows open. Smoke runs cannot wait for windows to close:
    /// their events are three minutes old (closed at delivery: one part each).
    /// </summary>
    public static async Task<(DateTimeOffset DeliverAt, DateTimeOffset Anchor)> DeliveryMomentAsync(bool smoke)
    {
        if (smoke)
        {
            var now = DateTimeOffset.UtcNow;
            return (now, now.AddMinutes(-3));
        }

        while (DateTimeOffset.UtcNow.Second > 15)
        {
            await Task.Delay(500);
        }

        var deliverAt = Floor(DateTimeOffset.UtcNow).AddSeconds(30);
        return (deliverAt, deliverAt);
    }

    public static DateTimeOffset WindowsClosed(DateTimeOffset eventTime) => Ceiling(eventTime + WindowAfter) + IngestionDelay;

    /// <summary>The Logging calls the fake answered, with their project (x-goog-user-project) and time.</summary>
    public IReadOnlyList<FakeRequest> LoggingCalls() =>
        [.. World.Apis.Requests.Where(r => r.Api is FakeApi.ContainerLogs or FakeApi.AuditLogs)];

    /// <summary>The most calls answered 2xx in any 60 s (sliding) by one quota project, and that project.</summary>
    public static int MaxCallsInAnyMinute(IReadOnlyList<FakeRequest> calls)
    {
        var most = 0;
        foreach (var project in calls.Where(c => c.StatusCode == 200).GroupBy(c => c.Headers.GetValueOrDefault("x-goog-user-project") ?? "caller", StringComparer.Ordinal))
        {
            var times = project.Select(c => c.ArrivedAt).Order().ToArray();
            var window = System.Diagnostics.Stopwatch.Frequency * 60;
            var first = 0;
            for (var i = 0; i < times.Length; i++)
            {
                while (times[i] - times[first] >= window)
                {
                    first++;
                }

                most = Math.Max(most, i - first + 1);
            }
        }

        return most;
    }

    /// <summary>
    /// The most calls answered 2xx for one quota project within one clock minute, the period the fake's quota counts
    /// in: each call is placed by its arrival (a Stopwatch timestamp) mapped to wall time, so a call within the fakes'
    /// latency of a minute's edge may land in the neighbouring minute.
    /// </summary>
    public static int MaxCallsInACalendarMinute(IReadOnlyList<FakeRequest> calls) =>
        // The minute the fake charged each read to (after its latency wait), not the arrival: a read that arrives
        // in the last milliseconds of a minute is charged to the next one, as the fake's own quota counts it.
        calls.Where(c => c.StatusCode == 200 && c.QuotaMinute is not null)
            .GroupBy(c => (Project: c.Headers.GetValueOrDefault("x-goog-user-project") ?? "caller", Minute: c.QuotaMinute!.Value))
            .Select(g => g.Count())
            .DefaultIfEmpty(0)
            .Max();

    public static DateTimeOffset Floor(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    public static DateTimeOffset Ceiling(DateTimeOffset time) => time.UtcTicks % TimeSpan.TicksPerMinute == 0 ? time : Floor(time).AddMinutes(1);

    public async ValueTask DisposeAsync()
    {
        await Function.DisposeAsync();
        await World.DisposeAsync();
    }

    private static HashSet<string> InWindow(IReadOnlyList<JsonObject> entries, string service, DateTimeOffset from, DateTimeOffset to) =>
        [.. entries
            .Where(e => e["resource"]?["labels"]?["service_name"]?.GetValue<string>() == service)
            .Where(e =>
            {
                var time = DateTimeOffset.Parse(e["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                return time >= from && time < to;
            })
            .Select(e => e["insertId"]!.GetValue<string>())];

    private static (List<string> Container, List<string> Audit) InsertIds(ReadOnlyMemory<byte> zip)
    {
        using var stream = new MemoryStream(zip.ToArray(), writable: false);
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read);
        return (Ids(archive, "logs/container.jsonl"), Ids(archive, "logs/audit.jsonl"));
    }

    private static List<string> Ids(ZipArchive archive, string path)
    {
        var ids = new List<string>();
        if (archive.GetEntry(path) is not { } entry)
        {
            return ids;
        }

        using var reader = new StreamReader(entry.Open());
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("insertId", out var id))
                {
                    ids.Add(id.GetString()!);
                }
            }
        }

        return ids;
    }

    // index/…/{id}.json and index/…/{id}.part-{n}.json (and bundles/….zip) name the same logical bundle {id}, its bundle id.
    private static string Stem(string name, string extension)
    {
        var file = name[(name.LastIndexOf('/') + 1)..^extension.Length];
        var part = file.IndexOf(".part-", StringComparison.Ordinal);
        return part < 0 ? file : file[..part];
    }

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One stored part: its number, the state its summary gives, when it was stored, and the log entries it holds.</summary>
internal sealed record BundlePart(int Number, string State, DateTimeOffset StoredAt, string ObjectName, bool ObjectPresent, List<string> Container, List<string> Audit);

/// <summary>One finding event's parts in the bucket; <see cref="BundleObjects"/> counts its zip objects.</summary>
internal sealed record LogicalBundle(string BundleId, IReadOnlyList<BundlePart> Parts, int BundleObjects)
{
    public BundlePart Last => Parts[^1];

    public bool Complete => Last.State == "complete";

    /// <summary>Parts numbered 1..n without a gap or a repeat, one zip each, nothing stored after the complete one.</summary>
    public int DuplicateParts =>
        Parts.Count - Parts.Select(p => p.Number).Distinct().Count()
        + Math.Max(0, BundleObjects - Parts.Count)
        + Parts.Take(Parts.Count - 1).Count(p => p.State == "complete");

    public bool Contiguous => Parts.Select(p => p.Number).SequenceEqual(Enumerable.Range(1, Parts.Count)) && Parts.All(p => p.ObjectPresent);

    /// <summary>Entries held by more than one part (each must be collected exactly once).</summary>
    public int RepeatedEntries =>
        Parts.SelectMany(p => p.Container).Count() - Parts.SelectMany(p => p.Container).Distinct().Count()
        + Parts.SelectMany(p => p.Audit).Count() - Parts.SelectMany(p => p.Audit).Distinct().Count();
}
