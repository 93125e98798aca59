using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// Cloud Tasks v2 <c>projects.locations.queues.tasks.create</c> (<c>POST v2/{queue}/tasks</c>) for HTTP target
/// tasks, and the dispatch that follows, on <see cref="FakeGoogleApis"/>' listener (CLOUD_TASKS_API_ENDPOINT).
/// As documented by Google: a named task is created once; the same name again, also for a task already
/// dispatched or deleted within the dedup window (an hour), is 409 ALREADY_EXISTS. A malformed request is 400
/// INVALID_ARGUMENT, an unknown queue 404 NOT_FOUND, a denied queue or service account 403 PERMISSION_DENIED, a
/// call without the token 401 (checked by <see cref="FakeGoogleApis"/>). Each task is sent as a real HTTP request
/// to its URL at its schedule time with its body and headers, a Google-shaped OIDC token
/// (<see cref="FakeOidcToken"/>) and the X-CloudTasks-* headers, paced by the queue's rate limits and retried by
/// its retry config (<see cref="FakeTaskQueueSettings"/>). Not modelled: App Engine and OAuth tasks, the other
/// methods, and the system throttling Cloud Tasks adds on top of the configured limits.
/// </summary>
public sealed partial class FakeCloudTasks : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (FakeTaskQueue Queue, Task Loop)> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _deniedQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _deniedAccounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<FakeTaskDispatch> _dispatches = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _dedupWindow;
    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;
    private long _created;
    private long _duplicates;
    private long _rejected;
    private long _dispatched;
    private long _failedAttempts;
    private long _completed;
    private long _gaveUp;
    private int _inFlight;
    private int _maxInFlight;

    internal FakeCloudTasks(FakeGoogleApisOptions options)
    {
        _clock = options.Clock;
        _dedupWindow = options.TaskDedupWindow;
        foreach (var queue in options.TaskQueues)
        {
            AddQueue(queue);
        }
    }

    /// <summary>Mints the OIDC tokens of dispatches; <see cref="FakeOidcToken.Read"/> checks one.</summary>
    public FakeOidcToken Oidc { get; } = new();

    /// <summary>Every dispatch attempt so far, in the order they finished.</summary>
    public IReadOnlyList<FakeTaskDispatch> Dispatches => [.. _dispatches];

    public FakeCloudTasksCounters Counters => new(
        Interlocked.Read(ref _created), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _rejected), Interlocked.Read(ref _dispatched),
        Interlocked.Read(ref _failedAttempts), Interlocked.Read(ref _completed), Interlocked.Read(ref _gaveUp),
        Volatile.Read(ref _inFlight), Volatile.Read(ref _maxInFlight));

    /// <summary>Dispatches go out through this client: no client-wide timeout, each attempt has its task's deadline.</summary>
    internal HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Creates a queue (as queues.create would) and starts its dispatcher.</summary>
    public void AddQueue(FakeTaskQueueSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var queue = new FakeTaskQueue(settings, this, _clock);
        if (!_queues.TryAdd(settings.Name, (queue, Task.Run(() => queue.RunAsync(_stop.Token)))))
        {
            throw new ArgumentException($"Queue {settings.Name} exists already.", nameof(settings));
        }
    }

    public void Pause(string queue) => Queue(queue).SetPaused(true);

    public void Resume(string queue) => Queue(queue).SetPaused(false);

    /// <summary>tasks.create on this queue answers 403, as for a caller without cloudtasks.tasks.create on it.</summary>
    public void DenyCreate(string queue) => _deniedQueues[queue] = 0;

    /// <summary>Tasks whose OIDC token names this account answer 403, as for a caller without iam.serviceAccounts.actAs on it.</summary>
    public void DenyActAs(string serviceAccountEmail) => _deniedAccounts[serviceAccountEmail] = 0;

    /// <summary>The queue's tasks that are not done yet (waiting, or being dispatched), soonest first.</summary>
    public IReadOnlyList<FakeCloudTask> Tasks(string queue) => Queue(queue).Snapshot();

    /// <summary>Waits until no queue has a task left; a <see cref="TimeoutException"/> names what is left.</summary>
    public async Task WaitUntilDrainedAsync(TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(_queues.Values.Select(q => q.Queue.Drained)).WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            var left = string.Join(", ", _queues.Values.SelectMany(q => q.Queue.Snapshot()).Select(t => $"{t.Name} (due {t.ScheduleTime:O}, {t.DispatchCount} dispatches)"));
            throw new TimeoutException($"Cloud Tasks queues not drained within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; left: {left}", ex);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> dispatch attempts have finished.</summary>
    public async Task WaitForDispatchesAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (_dispatches.Count < count)
        {
            var signal = Volatile.Read(ref _logged).Task;
            if (_dispatches.Count >= count)
            {
                break;
            }

            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(signal, Task.Delay(left)) != signal)
            {
                throw new TimeoutException($"{_dispatches.Count} of {count} Cloud Tasks dispatches within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_queues.Values.Select(q => q.Loop).Concat(_running.Keys));
        Http.Dispose();
        Oidc.Dispose();
        _stop.Dispose();
    }

    internal static bool IsQueueName(string name) => QueueName().IsMatch(name);

    internal static bool Claims(string path) => path.StartsWith("/v2/projects/", StringComparison.Ordinal) && path.Contains("/queues/", StringComparison.Ordinal);

    internal async Task HandleAsync(HttpContext context, string? body)
    {
        var path = Uri.UnescapeDataString(context.Request.Path.Value ?? "");
        if (!HttpMethods.IsPost(context.Request.Method) || !path.EndsWith("/tasks", StringComparison.Ordinal))
        {
            await FakeResponses.ErrorAsync(context, 404, "NOT_FOUND", "Method not found: this fake serves tasks.create only.");
            return;
        }

        var queueName = path["/v2/".Length..^"/tasks".Length];
        if (_deniedQueues.ContainsKey(queueName))
        {
            Interlocked.Increment(ref _rejected);
            await FakeResponses.ErrorAsync(context, 403, "PERMISSION_DENIED",
                $"The principal (user or service account) lacks IAM permission \"cloudtasks.tasks.create\" for the resource \"{queueName}\" (or the resource may not exist).");
            return;
        }

        if (!_queues.TryGetValue(queueName, out var entry))
        {
            Interlocked.Increment(ref _rejected);
            await FakeResponses.ErrorAsync(context, 404, "NOT_FOUND", "Requested entity was not found.");
            return;
        }

        var (parsed, error) = FakeTaskRequest.Read(queueName, body ?? "", _clock.GetUtcNow(), Interlocked.Increment(ref _sequence));
        if (parsed is null)
        {
            Interlocked.Increment(ref _rejected);
            await FakeResponses.InvalidArgumentAsync(context, error!);
            return;
        }

        if (parsed.Task.OidcServiceAccount is { } account && Refusal(queueName, account) is { } refusal)
        {
            Interlocked.Increment(ref _rejected);
            await FakeResponses.ErrorAsync(context, refusal.Code, refusal.Status, refusal.Message);
            return;
        }

        if (!entry.Queue.TryAdd(parsed.Task, _dedupWindow))
        {
            Interlocked.Increment(ref _duplicates);
            await FakeResponses.ErrorAsync(context, 409, "ALREADY_EXISTS", "Requested entity already exists");
            return;
        }

        Interlocked.Increment(ref _created);
        await FakeResponses.JsonAsync(context, Answer(parsed));
    }

    internal void Track(Task dispatch)
    {
        _running[dispatch] = 0;
        _ = dispatch.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    internal void OnDispatchStarted(int inFlightOnQueue)
    {
        Interlocked.Increment(ref _dispatched);
        Interlocked.Increment(ref _inFlight);
        int seen;
        while (inFlightOnQueue > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlightOnQueue, seen) != seen)
        {
        }
    }

    internal void OnAttemptFailed() => Interlocked.Increment(ref _failedAttempts);

    internal void OnFinished(bool gaveUp)
    {
        if (gaveUp)
        {
            Interlocked.Increment(ref _gaveUp);
        }
        else
        {
            Interlocked.Increment(ref _completed);
        }
    }

    internal void Log(FakeTaskDispatch dispatch)
    {
        Interlocked.Decrement(ref _inFlight);
        _dispatches.Enqueue(dispatch);
        Interlocked.Exchange(ref _logged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private FakeTaskQueue Queue(string name) =>
        _queues.TryGetValue(name, out var entry) ? entry.Queue : throw new ArgumentException($"No queue {name}.", nameof(name));

    /// <summary>Cloud Tasks mints tokens only for accounts of the queue's project, and only for a caller allowed to act as them.</summary>
    private (int Code, string Status, string Message)? Refusal(string queue, string account)
    {
        var project = queue.Split('/')[1];
        var iam = IamAccount().Match(account);
        if (iam.Success && iam.Groups["project"].Value != project)
        {
            return (400, "INVALID_ARGUMENT", $"The service account {account} must be in the same project as the queue ({project}).");
        }

        return _deniedAccounts.ContainsKey(account)
            ? (403, "PERMISSION_DENIED", $"The principal (user or service account) lacks IAM permission \"iam.serviceAccounts.actAs\" for the resource \"projects/-/serviceAccounts/{account}\" (or the resource may not exist).")
            : null;
    }

    private static JsonObject Answer(FakeTaskRequest.Parsed parsed)
    {
        var task = parsed.Task;
        var http = new JsonObject
        {
            ["url"] = task.Url,
            ["httpMethod"] = task.HttpMethod,
            ["headers"] = new JsonObject([.. task.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)JsonValue.Create(h.Value)))]),
        };
        if (task.OidcServiceAccount is { } account)
        {
            http["oidcToken"] = new JsonObject { ["serviceAccountEmail"] = account, ["audience"] = task.OidcAudience };
        }

        // The BASIC view leaves out the payload, as Google's does.
        if (parsed.FullView)
        {
            http["body"] = Convert.ToBase64String(task.Body);
        }

        return new JsonObject
        {
            ["name"] = task.Name,
            ["httpRequest"] = http,
            ["scheduleTime"] = Timestamp(task.ScheduleTime),
            ["createTime"] = Timestamp(task.CreateTime),
            ["dispatchDeadline"] = $"{task.DispatchDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s",
            ["view"] = parsed.FullView ? "FULL" : "BASIC",
        };
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    // Cloud Tasks' rules: project id, location id, and a queue id of letters, digits and hyphens, at most 100.
    [GeneratedRegex(@"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/locations/[a-z]+-[a-z]+[0-9]+/queues/[A-Za-z0-9-]{1,100}\z")]
    private static partial Regex QueueName();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{4,28}[a-z0-9]@(?<project>[a-z][-a-z0-9]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com\z")]
    private static partial Regex IamAccount();
}
