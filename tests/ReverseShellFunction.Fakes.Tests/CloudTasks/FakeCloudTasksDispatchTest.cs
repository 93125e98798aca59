using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Tasks;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Fakes.Tests.CloudTasks;

/// <summary>
/// What the Cloud Tasks fake does with a task once created, end to end over HTTP: the scheduler creates it and the
/// fake POSTs it to a receiver, with Cloud Tasks' token and headers, at its time, at the queue's pace, retried by
/// the queue's retry config. Timings are checked only as lower bounds (never too early, never too fast), which a
/// slow machine cannot break.
/// </summary>
public sealed class FakeCloudTasksDispatchTest : IAsyncLifetime, IDisposable
{
    private const string Queue = "projects/sec-tools-2231/locations/europe-west1/queues/evidence-completions";
    private const string Invoker = "reverse-shell-delivery@sec-tools-2231.iam.gserviceaccount.com";

    private static readonly BundleId s_bundle = BundleId.For(
        "organizations/1234/sources/5678/locations/global/findings/f0c1a2b3c4d5e6f7", new DateTimeOffset(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero));
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    // The clock's own granularity and rounding: a dispatch is never earlier than its due time by more than this.
    private static readonly TimeSpan s_slack = TimeSpan.FromMilliseconds(20);

    private readonly HttpClient _http = new();
    private TaskReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TaskReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_dispatch_POSTs_the_body_with_an_OIDC_token_for_the_audience_and_the_Cloud_Tasks_headers()
    {
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue });
        var due = DateTimeOffset.UtcNow;

        Assert.Equal(ScheduleResult.Scheduled, await Scheduler(fake).ScheduleAsync(Part(2, due), CancellationToken.None));
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        var received = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/completions", received.Path);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Matches("^\\{\"bundleId\":\"[0-9]{8}T[0-9]{9}Z-[A-Za-z0-9]+-[0-9a-f]{16}\",\"part\":2\\}$", Encoding.UTF8.GetString(received.Body));

        var authorization = AuthenticationHeaderValue.Parse(received.Headers["Authorization"]);
        Assert.Equal("Bearer", authorization.Scheme);
        var claims = fake.CloudTasks.Oidc.Read(authorization.Parameter!);
        Assert.NotNull(claims);
        Assert.Equal(_receiver.Url.GetLeftPart(UriPartial.Authority), claims.Audience);
        Assert.Equal(Invoker, claims.Email);
        Assert.Equal("https://accounts.google.com", claims.Issuer);
        Assert.Null(fake.CloudTasks.Oidc.Read(authorization.Parameter![..^4] + "AAAA"));

        var name = Assert.Single(fake.CloudTasks.Dispatches).TaskName;
        Assert.Equal("evidence-completions", received.Headers["X-CloudTasks-QueueName"]);
        Assert.Equal(name[(name.LastIndexOf('/') + 1)..], received.Headers["X-CloudTasks-TaskName"]);
        Assert.Equal("0", received.Headers["X-CloudTasks-TaskRetryCount"]);
        Assert.Equal("0", received.Headers["X-CloudTasks-TaskExecutionCount"]);
        var eta = double.Parse(received.Headers["X-CloudTasks-TaskETA"], CultureInfo.InvariantCulture);
        Assert.InRange(eta, due.ToUnixTimeMilliseconds() / 1000.0 - 0.001, due.ToUnixTimeMilliseconds() / 1000.0 + 5);
        Assert.Equal("Google-Cloud-Tasks", received.Headers["User-Agent"]);
        Assert.Equal((1L, 1L, 1L), (fake.CloudTasks.Counters.Created, fake.CloudTasks.Counters.Dispatches, fake.CloudTasks.Counters.Completed));
    }

    [Fact]
    public async Task A_task_is_not_dispatched_before_its_schedule_time_on_the_fake_s_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue }, clock);
        var due = clock.GetUtcNow().AddMinutes(10);
        await Scheduler(fake).ScheduleAsync(Part(2, due), CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59));
        await Task.Delay(300);
        Assert.Empty(_receiver.Requests);
        Assert.Single(fake.CloudTasks.Tasks(Queue));

        clock.Advance(TimeSpan.FromSeconds(1));
        await fake.CloudTasks.WaitForDispatchesAsync(1, s_wait);
        var dispatch = Assert.Single(fake.CloudTasks.Dispatches);
        Assert.True(dispatch.StartedAt >= due, $"dispatched at {dispatch.StartedAt:O}, due {due:O}");
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task A_paused_queue_keeps_its_tasks_until_resumed()
    {
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, Paused = true });
        await Scheduler(fake).ScheduleAsync(Part(2, DateTimeOffset.UtcNow), CancellationToken.None);

        await Task.Delay(300);
        Assert.Empty(_receiver.Requests);

        fake.CloudTasks.Resume(Queue);
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task Dispatches_keep_to_the_rate_limit_measured_from_the_dispatch_log()
    {
        // 5 a second with a bucket of 2: two at once, then one every 200 ms.
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, MaxDispatchesPerSecond = 5, MaxBurstSize = 2 });
        var scheduler = Scheduler(fake);
        var now = DateTimeOffset.UtcNow;
        for (var part = 2; part < 10; part++)
        {
            await scheduler.ScheduleAsync(Part(part, now), CancellationToken.None);
        }

        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        var starts = fake.CloudTasks.Dispatches.Select(d => d.StartedAt).Order().ToList();
        Assert.Equal(8, starts.Count);
        for (var i = 2; i < starts.Count; i++)
        {
            // The i-th dispatch needs i + 1 tokens: the bucket's 2 and i - 1 refilled at 5 a second.
            var earliest = starts[0] + TimeSpan.FromSeconds((i - 1) / 5.0);
            Assert.True(starts[i] >= earliest - s_slack, $"dispatch {i} at +{(starts[i] - starts[0]).TotalMilliseconds} ms, before the rate allows (+{(earliest - starts[0]).TotalMilliseconds} ms)");
        }

        // Over any window, at most burst + rate × window dispatches.
        Assert.True(starts[^1] - starts[0] >= TimeSpan.FromSeconds(1.2) - s_slack);
    }

    [Fact]
    public async Task Concurrent_dispatches_stay_under_maxConcurrentDispatches()
    {
        _receiver.Hold = TimeSpan.FromMilliseconds(500);
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, MaxConcurrentDispatches = 2 });
        var scheduler = Scheduler(fake);
        for (var part = 2; part < 8; part++)
        {
            await scheduler.ScheduleAsync(Part(part, DateTimeOffset.UtcNow), CancellationToken.None);
        }

        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        Assert.Equal(6, _receiver.Requests.Count);
        Assert.Equal(2, _receiver.MaxInFlight);
        Assert.Equal(2, fake.CloudTasks.Counters.MaxInFlight);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_with_the_queue_s_backoff_until_a_2xx()
    {
        // Backoff 0.2 s, one doubling, then linear: 0.2, 0.4, 0.8 s.
        var settings = new FakeTaskQueueSettings { Name = Queue, MinBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(2), MaxDoublings = 1 };
        await using var fake = await Start(settings);
        _receiver.Answer(503, 503, 429, 204);

        await Scheduler(fake).ScheduleAsync(Part(2, DateTimeOffset.UtcNow), CancellationToken.None);
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        var attempts = fake.CloudTasks.Dispatches.OrderBy(d => d.Attempt).ToList();
        Assert.Equal([503, 503, 429, 204], attempts.Select(a => a.StatusCode ?? 0));
        Assert.Equal([1, 2, 3, 4], attempts.Select(a => a.Attempt));
        double[] backoffs = [0.2, 0.4, 0.8];
        for (var i = 1; i < attempts.Count; i++)
        {
            var gap = attempts[i].StartedAt - attempts[i - 1].FinishedAt;
            Assert.True(gap >= TimeSpan.FromSeconds(backoffs[i - 1]) - s_slack, $"retry {i} after {gap.TotalMilliseconds} ms, expected at least {backoffs[i - 1] * 1000} ms");
        }

        // Retry count counts every earlier attempt; execution count only answers that were not 5xx.
        var received = _receiver.Requests;
        Assert.Equal(["0", "1", "2", "3"], received.Select(r => r.Headers["X-CloudTasks-TaskRetryCount"]));
        Assert.Equal(["0", "0", "0", "1"], received.Select(r => r.Headers["X-CloudTasks-TaskExecutionCount"]));
        Assert.Equal(["503", "503", "429"], received.Skip(1).Select(r => r.Headers["X-CloudTasks-TaskPreviousResponse"]));
        Assert.Equal((3L, 1L, 0L), (fake.CloudTasks.Counters.FailedAttempts, fake.CloudTasks.Counters.Completed, fake.CloudTasks.Counters.GaveUp));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_backoff_is_waited_out()
    {
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, MinBackoff = TimeSpan.FromMilliseconds(100) });
        _receiver.AnswerWithRetryAfter(503, TimeSpan.FromSeconds(1));

        await Scheduler(fake).ScheduleAsync(Part(2, DateTimeOffset.UtcNow), CancellationToken.None);
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        var attempts = fake.CloudTasks.Dispatches.OrderBy(d => d.Attempt).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].StartedAt - attempts[0].FinishedAt >= TimeSpan.FromSeconds(1) - s_slack);
    }

    [Fact]
    public async Task After_maxAttempts_failures_the_task_is_deleted_and_its_name_stays_taken()
    {
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, MaxAttempts = 3, MinBackoff = TimeSpan.FromMilliseconds(50) });
        _receiver.Answer(500, 500, 500, 500, 500);
        var scheduler = Scheduler(fake);

        await scheduler.ScheduleAsync(Part(2, DateTimeOffset.UtcNow), CancellationToken.None);
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        Assert.Equal(3, fake.CloudTasks.Dispatches.Count);
        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Equal(1, fake.CloudTasks.Counters.GaveUp);
        Assert.Empty(fake.CloudTasks.Tasks(Queue));

        // Within the dedup window the name of a deleted task is still refused: a redelivery does not start over.
        Assert.Equal(ScheduleResult.AlreadyScheduled, await scheduler.ScheduleAsync(Part(2, DateTimeOffset.UtcNow), CancellationToken.None));
    }

    [Fact]
    public async Task A_dispatched_task_s_name_is_free_again_after_the_dedup_window()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions
        {
            Clock = clock,
            TaskQueues = [new FakeTaskQueueSettings { Name = Queue }],
        });
        var scheduler = Scheduler(fake);
        await scheduler.ScheduleAsync(Part(2, clock.GetUtcNow()), CancellationToken.None);
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(ScheduleResult.AlreadyScheduled, await scheduler.ScheduleAsync(Part(2, clock.GetUtcNow()), CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ScheduleResult.Scheduled, await scheduler.ScheduleAsync(Part(2, clock.GetUtcNow()), CancellationToken.None));
    }

    [Fact]
    public async Task No_answer_within_the_dispatch_deadline_is_a_failed_attempt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, MaxAttempts = 1 }, clock);
        _receiver.Hold = TimeSpan.FromSeconds(20);

        await Scheduler(fake).ScheduleAsync(Part(2, clock.GetUtcNow()), CancellationToken.None);
        await WaitUntil(() => _receiver.Requests.Count == 1);
        clock.Advance(TimeSpan.FromMinutes(10));
        await fake.CloudTasks.WaitUntilDrainedAsync(s_wait);

        var dispatch = Assert.Single(fake.CloudTasks.Dispatches);
        Assert.Null(dispatch.StatusCode);
        Assert.StartsWith("DEADLINE_EXCEEDED", dispatch.Error, StringComparison.Ordinal);
        Assert.Equal(1, fake.CloudTasks.Counters.GaveUp);
    }

    public static TheoryData<string, int, string, string> MalformedCreates() => new()
    {
        { Queue, 400, "{\"task\":{\"name\":\"" + Queue + "/tasks/has space\",\"httpRequest\":{\"url\":\"https://x.run.app/\"}}}", "Task name must be formatted" },
        { Queue, 400, "{\"task\":{\"name\":\"projects/sec-tools-2231/locations/europe-west1/queues/other/tasks/a\",\"httpRequest\":{\"url\":\"https://x.run.app/\"}}}", "does not belong to the queue" },
        { Queue, 400, "{\"task\":{\"httpRequest\":{\"url\":\"https://x.run.app/\",\"httpMethd\":\"POST\"}}}", "httpMethd" },
        { Queue, 400, "{\"task\":{\"scheduleTime\":\"2026-12-01T10:00:00Z\"}}", "Task.http_request must be set" },
        { Queue, 400, "{\"task\":{\"scheduleTime\":\"2026-12-01 10:00\",\"httpRequest\":{\"url\":\"https://x.run.app/\"}}}", "Invalid time format" },
        { Queue, 400, "{\"task\":{\"httpRequest\":{\"url\":\"ftp://x/\"}}}", "HttpRequest.url must" },
        { Queue, 400, "{\"task\":{\"httpRequest\":{\"url\":\"https://x.run.app/\",\"body\":\"%%%\"}}}", "Base64 decoding failed" },
        { Queue, 400, "{\"task\":{\"httpRequest\":{\"url\":\"https://x.run.app/\",\"oidcToken\":{\"audience\":\"a\"}}}}", "service_account_email must be set" },
        { Queue, 400, "{\"task\":{\"httpRequest\":{\"url\":\"https://x.run.app/\",\"oidcToken\":{\"serviceAccountEmail\":\"someone@other-project.iam.gserviceaccount.com\"}}}}", "same project as the queue" },
        { Queue, 400, "{\"task\":", "Invalid JSON payload received" },
        { Queue.Replace("evidence-completions", "absent", StringComparison.Ordinal), 404, "{\"task\":{\"httpRequest\":{\"url\":\"https://x.run.app/\"}}}", "NOT_FOUND" },
    };

    [Theory]
    [MemberData(nameof(MalformedCreates))]
    public async Task Malformed_creates_are_refused_in_Google_s_error_format(string queue, int code, string body, string message)
    {
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, Paused = true });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fake.BaseUri, $"/v2/{queue}/tasks"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", fake.AccessToken) },
        };

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(code, (int)response.StatusCode);
        Assert.Contains($"\"code\":{code}", text, StringComparison.Ordinal);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.Empty(fake.CloudTasks.Tasks(Queue));

        // Those the API definition already rules out (unknown field, bad time or base64, broken JSON) the fake also
        // keeps as violations, and would fail this test at dispose: they are sent on purpose here.
        _ = fake.Conformance.Take();
    }

    [Fact]
    public async Task A_create_without_the_token_is_401()
    {
        await using var fake = await Start(new FakeTaskQueueSettings { Name = Queue, Paused = true });
        using var response = await _http.PostAsync(
            new Uri(fake.BaseUri, $"/v2/{Queue}/tasks"),
            new StringContent("{\"task\":{\"httpRequest\":{\"url\":\"https://x.run.app/\"}}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("UNAUTHENTICATED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(fake.CloudTasks.Tasks(Queue));
    }

    [Fact]
    public void The_backoff_follows_the_documented_example()
    {
        var settings = new FakeTaskQueueSettings { Name = Queue, MinBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(300), MaxDoublings = 3 };
        Assert.Equal([10, 20, 40, 80, 160, 240, 300, 300], Enumerable.Range(1, 8).Select(r => settings.Backoff(r).TotalSeconds));

        // Stops only when every limit that is set is reached.
        var both = settings with { MaxAttempts = 3, MaxRetryDuration = TimeSpan.FromHours(1) };
        Assert.False(both.GivesUp(3, TimeSpan.FromMinutes(59)));
        Assert.False(both.GivesUp(2, TimeSpan.FromHours(2)));
        Assert.True(both.GivesUp(3, TimeSpan.FromHours(1)));
        Assert.False((settings with { MaxAttempts = -1 }).GivesUp(1000, TimeSpan.FromDays(20)));
    }

    private static CompletionTask Part(int part, DateTimeOffset due) => new(s_bundle, part, due);

    private static Task<FakeGoogleApis> Start(FakeTaskQueueSettings queue, TimeProvider? clock = null) =>
        FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { TaskQueues = [queue], Clock = clock ?? TimeProvider.System });

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow + s_wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(20);
        }
    }

    private CloudTasksScheduler Scheduler(FakeGoogleApis fake)
    {
        var client = new GoogleApiClient(_http, new FixedTokenSource(fake.AccessToken), new RecordedDelays().Policy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        // The catalog's defaults (an empty environment), with the queue this test dispatches through.
        var settings = FunctionSettings.From(_ => null).Completion with
        {
            Queue = Queue,
            Url = _receiver.Url,
            ServiceAccount = Invoker,
            CloudTasksEndpoint = fake.BaseUri.ToString().TrimEnd('/'),
        };
        return new CloudTasksScheduler(client, settings, NullLogger<CloudTasksScheduler>.Instance);
    }
}
