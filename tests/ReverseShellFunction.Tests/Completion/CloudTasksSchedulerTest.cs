using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Tasks;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>The Cloud Tasks adapter against the Cloud Tasks fake over HTTP: request shape, de-duplication, retries, errors.</summary>
public sealed class CloudTasksSchedulerTest : IAsyncLifetime, IDisposable
{
    internal const string Queue = "projects/sec-tools-2231/locations/europe-west1/queues/evidence-completions";
    internal const string Invoker = "reverse-shell-delivery@sec-tools-2231.iam.gserviceaccount.com";
    private const string ServiceUrl = "https://reverse-shell-function-123456789012.europe-west1.run.app";

    private static readonly BundleId s_bundle = BundleId.For(
        "organizations/1234/sources/5678/locations/global/findings/f0c1a2b3c4d5e6f7", new DateTimeOffset(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero));

    private readonly HttpClient _http = new();
    private readonly RecordedDelays _delays = new();
    private FakeGoogleApis _fake = null!;

    public async Task InitializeAsync() =>
        // Paused: these tests look at what was created, not at dispatches (FakeCloudTasksDispatchTest does).
        _fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { TaskQueues = [new FakeTaskQueueSettings { Name = Queue, Paused = true }] });

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose() => _http.Dispose();

    internal static CompletionTask Part(int part, DateTimeOffset? due = null) =>
        new(s_bundle, part, due ?? DateTimeOffset.UtcNow.AddMinutes(10));

    [Fact]
    public async Task Creates_one_named_HTTP_task_with_the_request_body_OIDC_token_and_schedule_time()
    {
        var tomorrow = DateTime.UtcNow.Date.AddDays(1);
        var due = new DateTimeOffset(tomorrow, TimeSpan.Zero).AddHours(21).AddMinutes(55).AddMilliseconds(250).AddTicks(1234);
        var result = await Scheduler().ScheduleAsync(Part(2, DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);
        Assert.Equal(ScheduleResult.Scheduled, result);

        var request = Assert.Single(_fake.Requests, r => r.Api == FakeApi.CloudTasks);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/v2/{Queue}/tasks", Uri.UnescapeDataString(request.Path));
        Assert.True(request.Authorized, "tasks.create must carry the function's bearer token");
        Assert.Equal(200, request.StatusCode);

        using var body = JsonDocument.Parse(request.Body!);
        var root = body.RootElement;
        Assert.Equal(["task", "responseView"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("BASIC", root.GetProperty("responseView").GetString());
        var task = root.GetProperty("task");
        Assert.Equal(["name", "scheduleTime", "dispatchDeadline", "httpRequest"], task.EnumerateObject().Select(p => p.Name));
        Assert.Equal("300s", task.GetProperty("dispatchDeadline").GetString()); // Cloud Run's default request timeout
        var http = task.GetProperty("httpRequest");
        Assert.Equal($"{ServiceUrl}/completions", http.GetProperty("url").GetString());
        Assert.Equal("POST", http.GetProperty("httpMethod").GetString());
        Assert.Equal("application/json", http.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Equal(Invoker, http.GetProperty("oidcToken").GetProperty("serviceAccountEmail").GetString());
        Assert.Equal(ServiceUrl, http.GetProperty("oidcToken").GetProperty("audience").GetString());
        Assert.Equal(
            $"{{\"bundleId\":\"{s_bundle.Value}\",\"part\":2}}",
            Encoding.UTF8.GetString(Convert.FromBase64String(http.GetProperty("body").GetString()!)));

        var created = Assert.Single(_fake.CloudTasks.Tasks(Queue));
        Assert.Equal(task.GetProperty("name").GetString(), created.Name);
        Assert.Matches($"^{Queue}/tasks/[0-9a-f]{{8}}-{s_bundle.Value}-part2$", created.Name);

        // RFC 3339 in UTC, microseconds kept.
        var precise = await Scheduler().ScheduleAsync(Part(3, due), CancellationToken.None);
        Assert.Equal(ScheduleResult.Scheduled, precise);
        using var second = JsonDocument.Parse(_fake.Requests.Last(r => r.Api == FakeApi.CloudTasks).Body!);
        Assert.Equal($"{tomorrow:yyyy-MM-dd}T21:55:00.250123Z", second.RootElement.GetProperty("task").GetProperty("scheduleTime").GetString());
    }

    [Fact]
    public async Task The_same_part_again_is_already_scheduled_and_another_part_is_a_new_task()
    {
        var scheduler = Scheduler();
        Assert.Equal(ScheduleResult.Scheduled, await scheduler.ScheduleAsync(Part(2), CancellationToken.None));
        Assert.Equal(ScheduleResult.AlreadyScheduled, await scheduler.ScheduleAsync(Part(2, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None));
        Assert.Equal(ScheduleResult.Scheduled, await scheduler.ScheduleAsync(Part(3), CancellationToken.None));

        Assert.Equal(2, _fake.CloudTasks.Tasks(Queue).Count);
        Assert.Equal(1, _fake.CloudTasks.Counters.Duplicates);
        Assert.Contains(_fake.Requests, r => r.Api == FakeApi.CloudTasks && r.StatusCode == 409);
        Assert.Empty(_delays.Delays);
    }

    [Fact]
    public async Task A_503_is_retried_and_then_the_task_is_created()
    {
        _fake.Faults.Add(FakeApi.CloudTasks, FakeFault.Unavailable(), times: 2);

        Assert.Equal(ScheduleResult.Scheduled, await Scheduler().ScheduleAsync(Part(2), CancellationToken.None));

        Assert.Equal(3, _fake.CountRequests(FakeApi.CloudTasks));
        Assert.Equal(2, _delays.Delays.Count);
        Assert.Single(_fake.CloudTasks.Tasks(Queue));
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_retried_and_ends_already_scheduled()
    {
        _fake.Faults.Add(FakeApi.CloudTasks, FakeFault.LostAnswer());

        var result = await Scheduler().ScheduleAsync(Part(2), CancellationToken.None);

        Assert.Equal(ScheduleResult.AlreadyScheduled, result);
        Assert.Single(_fake.CloudTasks.Tasks(Queue));
        Assert.Equal(2, _fake.CountRequests(FakeApi.CloudTasks));
        Assert.Equal((1, 1), (_fake.CloudTasks.Counters.Created, _fake.CloudTasks.Counters.Duplicates));
    }

    [Fact]
    public async Task Refusals_fail_at_once_with_the_API_s_words()
    {
        // 400: Cloud Tasks takes schedule times up to 30 days ahead.
        var far = await Assert.ThrowsAsync<CompletionSchedulingException>(
            () => Scheduler().ScheduleAsync(Part(2, DateTimeOffset.UtcNow.AddDays(40)), CancellationToken.None));
        Assert.Contains("400 INVALID_ARGUMENT: Task.schedule_time is too far in the future", far.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<CompletionSchedulingException>(
            () => Scheduler(Queue.Replace("evidence-completions", "no-such-queue", StringComparison.Ordinal)).ScheduleAsync(Part(2), CancellationToken.None));
        Assert.Contains("404 NOT_FOUND: Requested entity was not found.", missing.Message, StringComparison.Ordinal);

        _fake.CloudTasks.DenyCreate(Queue);
        var denied = await Assert.ThrowsAsync<CompletionSchedulingException>(() => Scheduler().ScheduleAsync(Part(2), CancellationToken.None));
        Assert.Contains("403 PERMISSION_DENIED: The principal (user or service account) lacks IAM permission \"cloudtasks.tasks.create\"", denied.Message, StringComparison.Ordinal);
        Assert.IsType<GoogleApiException>(denied.InnerException);

        Assert.Empty(_delays.Delays);
        Assert.Empty(_fake.CloudTasks.Tasks(Queue));
    }

    [Fact]
    public async Task Without_actAs_on_the_invoker_account_the_task_is_refused()
    {
        _fake.CloudTasks.DenyActAs(Invoker);

        var error = await Assert.ThrowsAsync<CompletionSchedulingException>(() => Scheduler().ScheduleAsync(Part(2), CancellationToken.None));

        Assert.Contains("403 PERMISSION_DENIED", error.Message, StringComparison.Ordinal);
        Assert.Contains("iam.serviceAccounts.actAs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_409_that_is_not_ALREADY_EXISTS_is_a_failure_not_a_success()
    {
        _fake.Faults.Add(FakeApi.CloudTasks, new FakeFault { StatusCode = 409, Status = "ABORTED", Message = "The operation was aborted." });

        var error = await Assert.ThrowsAsync<CompletionSchedulingException>(() => Scheduler().ScheduleAsync(Part(2), CancellationToken.None));

        Assert.Contains("409 ABORTED: The operation was aborted.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_that_run_out_throw_with_the_last_answer()
    {
        _fake.Faults.Always(FakeApi.CloudTasks, FakeFault.Unavailable());

        var error = await Assert.ThrowsAsync<CompletionSchedulingException>(() => Scheduler().ScheduleAsync(Part(2), CancellationToken.None));

        Assert.Contains("503 UNAVAILABLE: The service is currently unavailable. (after 5 attempts)", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, _fake.CountRequests(FakeApi.CloudTasks));
    }

    [Fact]
    public async Task Without_the_token_the_API_answers_401_and_nothing_is_created()
    {
        var client = new GoogleApiClient(_http, new FixedTokenSource("ya29.not-the-fake-s-token"), _delays.Policy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var scheduler = new CloudTasksScheduler(client, Settings(Queue, _fake.BaseUri), NullLogger<CloudTasksScheduler>.Instance);

        var error = await Assert.ThrowsAsync<CompletionSchedulingException>(() => scheduler.ScheduleAsync(Part(2), CancellationToken.None));

        Assert.Contains("401 UNAUTHENTICATED", error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.CloudTasks.Tasks(Queue));
    }

    [Fact]
    public void Task_ids_are_stable_valid_and_do_not_sort_by_event_time()
    {
        var start = new DateTimeOffset(2026, 11, 28, 21, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 20)
            .Select(i => CompletionTaskName.Id(BundleId.For($"organizations/1/sources/2/findings/f{i}", start.AddSeconds(i)), 2))
            .ToList();

        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{1,500}$", id));
        Assert.Equal(ids[0], CompletionTaskName.Id(BundleId.For("organizations/1/sources/2/findings/f0", start), 2));
        Assert.NotEqual(ids[0], CompletionTaskName.Id(BundleId.For("organizations/1/sources/2/findings/f0", start), 3));

        // Sequential prefixes slow a queue down: in time order, the ids must not also be in name order.
        Assert.NotEqual(ids, ids.Order(StringComparer.Ordinal).ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => CompletionTaskName.Id(s_bundle, 0));
    }

    /// <summary>Settings aimed at the fake at <paramref name="fake"/>: a test never reaches Google's endpoint.</summary>
    [Theory]
    [InlineData(120, "120s")]
    [InlineData(15, "15s")]
    [InlineData(3600, "1800s")] // Cloud Tasks' longest HTTP deadline; the request is cut off later anyway
    public async Task Each_task_carries_a_dispatchDeadline_at_or_below_the_services_request_timeout(int timeoutSeconds, string expected)
    {
        var client = new GoogleApiClient(_http, new FixedTokenSource(_fake.AccessToken), _delays.Policy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var settings = Settings(Queue, _fake.BaseUri) with { RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds) };
        var result = await new CloudTasksScheduler(client, settings, NullLogger<CloudTasksScheduler>.Instance).ScheduleAsync(Part(2), CancellationToken.None);

        Assert.Equal(ScheduleResult.Scheduled, result);
        var request = Assert.Single(_fake.Requests, r => r.Api == FakeApi.CloudTasks);
        Assert.Equal(200, request.StatusCode);
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal(expected, body.RootElement.GetProperty("task").GetProperty("dispatchDeadline").GetString());
    }

    [Fact]
    public void A_request_timeout_below_Cloud_Tasks_minimum_deadline_is_refused_at_start()
    {
        var environment = new Dictionary<string, string>
        {
            ["COMPLETION_QUEUE"] = Queue,
            ["COMPLETION_URL"] = $"{ServiceUrl}/completions",
            ["COMPLETION_SERVICE_ACCOUNT"] = Invoker,
            ["REQUEST_TIMEOUT_SECONDS"] = "10",
        };
        var error = Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(environment.GetValueOrDefault));
        Assert.StartsWith("REQUEST_TIMEOUT_SECONDS must be at least 15 with COMPLETION_QUEUE", error.Message, StringComparison.Ordinal);
    }

    internal static CompletionSettings Settings(string queue, Uri fake, Uri? url = null) => Defaults.Settings.Completion with
    {
        Queue = queue,
        Url = url ?? new Uri($"{ServiceUrl}/completions"),
        ServiceAccount = Invoker,
        CloudTasksEndpoint = fake.ToString().TrimEnd('/'),
    };

    private CloudTasksScheduler Scheduler(string queue = Queue)
    {
        var client = new GoogleApiClient(_http, new FixedTokenSource(_fake.AccessToken), _delays.Policy(), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        return new CloudTasksScheduler(client, Settings(queue, _fake.BaseUri), NullLogger<CloudTasksScheduler>.Instance);
    }
}
