using System.Globalization;
using System.Net.Http.Headers;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// One queue and its dispatcher: tasks go out no earlier than their schedule time, through a token bucket
/// (refilled at maxDispatchesPerSecond, holding maxBurstSize) and under maxConcurrentDispatches, as real HTTP
/// requests. A non-2xx answer, no answer within the dispatch deadline, or no connection is a failed attempt, retried
/// after the retry config's backoff (or the answer's Retry-After, when longer) until the config gives up. A finished
/// task's name stays taken for the dedup window. Time is the fake's clock, so a test can drive it.
/// </summary>
internal sealed class FakeTaskQueue
{
    // Cloud Tasks deletes any task this long after its creation, retried or not.
    private static readonly TimeSpan s_retention = TimeSpan.FromDays(31);

    // A test's clock can be advanced between the loop reading it and arming its timer, which then counts from the
    // later time and fires late or never: the loop also looks again after this much real time.
    private static readonly TimeSpan s_recheck = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<FakeQueuedTask> _tasks = [];
    private readonly Dictionary<string, DateTimeOffset> _finished = new(StringComparer.Ordinal);
    private readonly FakeCloudTasks _owner;
    private readonly TimeProvider _clock;
    private double _tokens;
    private DateTimeOffset _refilledAt;
    private bool _paused;
    private int _inFlight;
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource? _drained;

    public FakeTaskQueue(FakeTaskQueueSettings settings, FakeCloudTasks owner, TimeProvider clock)
    {
        settings.Validate();
        Settings = settings;
        _owner = owner;
        _clock = clock;
        _tokens = settings.BurstSize;
        _refilledAt = clock.GetUtcNow();
        _paused = settings.Paused;
    }

    public FakeTaskQueueSettings Settings { get; }

    public string ShortName => Settings.Name[(Settings.Name.LastIndexOf('/') + 1)..];

    public IReadOnlyList<FakeCloudTask> Snapshot()
    {
        lock (_gate)
        {
            return [.. _tasks.OrderBy(t => t.ScheduleTime).ThenBy(t => t.Sequence).Select(t => t.Snapshot())];
        }
    }

    /// <summary>Adds the task unless its name exists or existed within <paramref name="dedupWindow"/>.</summary>
    public bool TryAdd(FakeQueuedTask task, TimeSpan dedupWindow)
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            foreach (var old in _finished.Where(f => now - f.Value >= dedupWindow).Select(f => f.Key).ToList())
            {
                _finished.Remove(old);
            }

            if (_finished.ContainsKey(task.Name) || _tasks.Any(t => t.Name == task.Name))
            {
                return false;
            }

            _tasks.Add(task);
        }

        Pulse();
        return true;
    }

    public void SetPaused(bool paused)
    {
        lock (_gate)
        {
            _paused = paused;
        }

        Pulse();
    }

    /// <summary>Completes once no task is left, waiting or in flight.</summary>
    public Task Drained
    {
        get
        {
            lock (_gate)
            {
                return _tasks.Count == 0 ? Task.CompletedTask : (_drained ??= NewSignal()).Task;
            }
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TimeSpan? wait;
            Task wake;
            lock (_gate)
            {
                wait = StartDueDispatches(stop);
                wake = _wake.Task;
            }

            using var iteration = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var timer = wait is { } delay
                ? Task.Delay(delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay, _clock, iteration.Token)
                : Task.Delay(Timeout.InfiniteTimeSpan, iteration.Token);
            await Task.WhenAny(wake, timer, Task.Delay(s_recheck, iteration.Token));
            await iteration.CancelAsync();
        }
    }

    /// <summary>Starts every dispatch allowed now; returns how long until the next may be, or null to wait for a signal.</summary>
    private TimeSpan? StartDueDispatches(CancellationToken stop)
    {
        var now = _clock.GetUtcNow();
        _tokens = Math.Min(Settings.BurstSize, _tokens + ((now - _refilledAt).TotalSeconds * Settings.MaxDispatchesPerSecond));
        _refilledAt = now;
        foreach (var expired in _tasks.Where(t => !t.Dispatching && now - t.CreateTime >= s_retention).ToList())
        {
            Finish(expired, now, gaveUp: true);
        }

        while (!_paused)
        {
            var next = _tasks.Where(t => !t.Dispatching).OrderBy(t => t.ScheduleTime).ThenBy(t => t.Sequence).FirstOrDefault();
            if (next is null || _inFlight >= Settings.MaxConcurrentDispatches)
            {
                return null;
            }

            if (next.ScheduleTime > now)
            {
                return next.ScheduleTime - now;
            }

            if (_tokens < 1)
            {
                return TimeSpan.FromSeconds((1 - _tokens) / Settings.MaxDispatchesPerSecond);
            }

            _tokens -= 1;
            _inFlight++;
            next.Dispatching = true;
            next.DispatchCount++;
            _owner.OnDispatchStarted(_inFlight);
            var attempt = new Attempt(next, next.DispatchCount, next.ScheduleTime, now);
            _owner.Track(Task.Run(() => DispatchAsync(attempt, stop), CancellationToken.None));
        }

        return null;
    }

    private async Task DispatchAsync(Attempt attempt, CancellationToken stop)
    {
        int? status = null;
        string? error = null;
        TimeSpan? retryAfter = null;
        try
        {
            using var request = Request(attempt);
            using var deadline = new CancellationTokenSource(attempt.Task.DispatchDeadline, _clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stop);
            using var response = await _owner.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            status = (int)response.StatusCode;
            retryAfter = response.Headers.RetryAfter?.Delta;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            error = $"DEADLINE_EXCEEDED: no answer within the dispatch deadline of {attempt.Task.DispatchDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        }
        catch (HttpRequestException ex)
        {
            error = $"UNAVAILABLE: {ex.Message}";
        }
        catch (OperationCanceledException)
        {
            error = "CANCELLED: the fake stopped";
        }

        var finishedAt = _clock.GetUtcNow();
        _owner.Log(new FakeTaskDispatch(Settings.Name, attempt.Task.Name, attempt.Number, attempt.ScheduledFor, attempt.StartedAt, finishedAt, status, error));
        lock (_gate)
        {
            _inFlight--;
            var task = attempt.Task;
            task.Dispatching = false;
            task.FirstAttempt ??= attempt.StartedAt;
            if (status is >= 200 and <= 299)
            {
                Finish(task, finishedAt, gaveUp: false);
            }
            else
            {
                _owner.OnAttemptFailed();
                task.ResponseCount += status is < 500 ? 1 : 0;
                task.PreviousResponse = status;
                if (stop.IsCancellationRequested || Settings.GivesUp(task.DispatchCount, finishedAt - task.FirstAttempt.Value))
                {
                    Finish(task, finishedAt, gaveUp: true);
                }
                else
                {
                    var backoff = Settings.Backoff(task.DispatchCount);
                    task.ScheduleTime = finishedAt + (retryAfter is { } asked && asked > backoff ? asked : backoff);
                }
            }
        }

        Pulse();
    }

    private HttpRequestMessage Request(Attempt attempt)
    {
        var task = attempt.Task;
        var request = new HttpRequestMessage(new HttpMethod(task.HttpMethod), task.Url);
        if (task.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(task.Body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(
                task.Headers.TryGetValue("Content-Type", out var type) ? type : "application/octet-stream");
        }

        // Cloud Tasks computes or replaces these; X-CloudTasks-* and X-Google-* are its own.
        foreach (var (name, value) in task.Headers)
        {
            if (!IsReplaced(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("User-Agent", "Google-Cloud-Tasks");
        request.Headers.Add("X-CloudTasks-QueueName", ShortName);
        request.Headers.Add("X-CloudTasks-TaskName", task.ShortName);
        request.Headers.Add("X-CloudTasks-TaskRetryCount", (attempt.Number - 1).ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-CloudTasks-TaskExecutionCount", task.ResponseCount.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-CloudTasks-TaskETA", EpochSeconds(attempt.ScheduledFor));
        if (task.PreviousResponse is { } previous)
        {
            request.Headers.Add("X-CloudTasks-TaskPreviousResponse", previous.ToString(CultureInfo.InvariantCulture));
        }

        if (task.OidcServiceAccount is { } account)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _owner.Oidc.Mint(account, task.OidcAudience!, attempt.StartedAt));
        }

        return request;
    }

    private static bool IsReplaced(string name) =>
        name.Equals("Host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-CloudTasks-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Google-", StringComparison.OrdinalIgnoreCase);

    // The documented form of X-CloudTasks-TaskETA: the schedule time in seconds since the Unix epoch.
    private static string EpochSeconds(DateTimeOffset time) =>
        ((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond).ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>Removes a task that succeeded or was given up; its name stays taken for the dedup window.</summary>
    private void Finish(FakeQueuedTask task, DateTimeOffset at, bool gaveUp)
    {
        _tasks.Remove(task);
        _finished[task.Name] = at;
        _owner.OnFinished(gaveUp);
        if (_tasks.Count == 0 && _drained is { } drained)
        {
            _drained = null;
            drained.TrySetResult();
        }
    }

    private void Pulse()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _wake;
            _wake = NewSignal();
        }

        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Attempt(FakeQueuedTask Task, int Number, DateTimeOffset ScheduledFor, DateTimeOffset StartedAt);
}
