using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>
/// The deployed shape, over HTTP: a push delivery to the real app stores part 1 and creates one named task; the
/// Cloud Tasks fake dispatches it at its time, with the delivery identity's OIDC token, to the app's own
/// <c>/completions</c>; a redelivery meanwhile creates no second task; the bundle ends complete in two parts.
/// </summary>
public sealed class CloudTasksEndToEndTest
{
    private static readonly DateTimeOffset s_event = FakeGoogleData.EventTime;

    [Fact]
    public async Task DeliveryThenDispatch_EndsComplete_InTwoParts_WithOneTask()
    {
        await using var deployed = await Deployed.StartAsync();
        var (clock, fake, store, host) = (deployed.Clock, deployed.Fake, deployed.Store, deployed.Host);

        var (status, body) = await PostAsync(host.Client, "", TestData.Sample("reverse-shell.pubsub-push.json"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("stored", body.GetProperty("outcome").GetString());
        var id = BundleId.Parse(body.GetProperty("bundleId").GetString()!);
        var task = Assert.Single(fake.CloudTasks.Tasks(CloudTasksSchedulerTest.Queue));
        Assert.EndsWith($"-{id.Value}-part2", task.Name, StringComparison.Ordinal);

        // Redelivered while part 2 waits: already stored, and the named task is not created again.
        var (again, againBody) = await PostAsync(host.Client, "", TestData.Sample("reverse-shell.pubsub-push.json"));
        Assert.Equal((HttpStatusCode.OK, "already-stored"), (again, againBody.GetProperty("outcome").GetString()));
        Assert.Equal(1L, fake.CloudTasks.Counters.Created);
        Assert.Empty(fake.CloudTasks.Dispatches);

        // The log windows close (event + 5 min + ingestion delay, by the minute): the queue dispatches the task.
        clock.SetUtcNow(s_event.AddMinutes(9));
        await fake.CloudTasks.WaitUntilDrainedAsync(TimeSpan.FromSeconds(30));

        var dispatch = Assert.Single(fake.CloudTasks.Dispatches);
        Assert.Equal(200, dispatch.StatusCode);
        var bundle = await LogicalBundle.ReadAsync(store, id, CancellationToken.None);
        Assert.Equal((2, Completeness.Complete), (bundle!.Parts.Count, bundle.State));
        Assert.Equal(1L, fake.CloudTasks.Counters.Created);

        // The endpoint answers a replayed task as done, and refuses a body that names no part.
        var (replayed, replayedBody) = await PostAsync(host.Client, "completions", Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{id.Value}\",\"part\":2}}"));
        Assert.Equal((HttpStatusCode.OK, "done"), (replayed, replayedBody.GetProperty("outcome").GetString()));
        var (bad, _) = await PostAsync(host.Client, "completions", Encoding.UTF8.GetBytes("{\"part\":2}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
    }

    [Fact]
    public async Task FirstDueCompletion_AlsoCompletesItsSiblings_OnTheSameServiceDueTheSameMinute_AndTheirTasksEndAtOnce()
    {
        await using var deployed = await Deployed.StartAsync();
        var (clock, fake, store, host) = (deployed.Clock, deployed.Fake, deployed.Store, deployed.Host);

        // Three findings on the sample's service at the same moment, and one on another service.
        var ids = new List<BundleId>();
        foreach (var (finding, service) in new[] { ("sib1", "checkout-api"), ("sib2", "checkout-api"), ("sib3", "checkout-api"), ("other", "other-api") })
        {
            var json = Notifications.SampleNotification();
            json.Finding()["name"] = $"organizations/418230051457/sources/9347120561842215403/locations/global/findings/{finding}";
            if (service != "checkout-api")
            {
                var resource = json.Finding()["resourceName"]!.GetValue<string>().Replace("checkout-api", service, StringComparison.Ordinal);
                json.Finding()["resourceName"] = resource;
                json["resource"]!["name"] = resource;
            }

            var (status, body) = await PostAsync(host.Client, "", Notifications.PushBody(json.Bytes(), "msg-" + finding));
            Assert.Equal((HttpStatusCode.OK, "stored"), (status, body.GetProperty("outcome").GetString()));
            ids.Add(BundleId.Parse(body.GetProperty("bundleId").GetString()!));
        }

        Assert.Equal(4, fake.CloudTasks.Tasks(CloudTasksSchedulerTest.Queue).Count);
        foreach (var id in ids)
        {
            Assert.Equal(Completeness.Pending, (await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!.State);
        }

        // The windows close; the queue holds its tasks while the first one is run by hand, as its dispatch would.
        fake.CloudTasks.Pause(CloudTasksSchedulerTest.Queue);
        clock.SetUtcNow(s_event.AddMinutes(9));
        var (first, firstBody) = await PostAsync(host.Client, "completions", Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{ids[0].Value}\",\"part\":2}}"));
        Assert.Equal((HttpStatusCode.OK, "done"), (first, firstBody.GetProperty("outcome").GetString()));

        var states = new List<(int Parts, Completeness State)>();
        foreach (var id in ids)
        {
            var bundle = (await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!;
            states.Add((bundle.Parts.Count, bundle.State));
        }

        Assert.Equal([(2, Completeness.Complete), (2, Completeness.Complete), (2, Completeness.Complete), (1, Completeness.Pending)], states);

        // Every task still runs: the siblings' find their part stored, the other service's collects its own.
        fake.CloudTasks.Resume(CloudTasksSchedulerTest.Queue);
        await fake.CloudTasks.WaitUntilDrainedAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, fake.CloudTasks.Dispatches.Count);
        Assert.All(fake.CloudTasks.Dispatches, d => Assert.Equal(200, d.StatusCode));
        foreach (var id in ids.Take(3))
        {
            var bundle = (await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!;
            Assert.Equal((2, Completeness.Complete), (bundle.Parts.Count, bundle.State));
        }

        // The fake knows no other-api (its reads answer 404): its own task stored part 2, not a sibling's.
        Assert.Equal(2, (await LogicalBundle.ReadAsync(store, ids[3], CancellationToken.None))!.Parts.Count);
    }

    [Fact]
    public async Task A_completion_and_its_siblings_send_at_most_the_reads_the_queue_is_sized_by_and_the_rest_complete_later()
    {
        // Sharing off: every sibling's window is a read of its own, as when their part 1s were cut at different minutes.
        // LOG_MAX_ENTRIES 500 (more than the fixture's windows hold): 4 calls a window, 8 a dispatch.
        await using var deployed = await Deployed.StartAsync(new Dictionary<string, string> { ["LOG_MAX_ENTRIES"] = "500" }, services: s => s.AddSingleton(sp => new LogReadCoalescer(sp.GetRequiredService<TimeProvider>()) { Enabled = false }));
        var (clock, fake, store, host) = (deployed.Clock, deployed.Fake, deployed.Store, deployed.Host);
        var ids = new List<BundleId>();
        for (var i = 1; i <= 10; i++)
        {
            var json = Notifications.SampleNotification();
            json.Finding()["name"] = $"organizations/418230051457/sources/9347120561842215403/locations/global/findings/reads{i}";
            var (status, body) = await PostAsync(host.Client, "", Notifications.PushBody(json.Bytes(), $"msg-reads{i}"));
            Assert.Equal((HttpStatusCode.OK, "stored"), (status, body.GetProperty("outcome").GetString()));
            ids.Add(BundleId.Parse(body.GetProperty("bundleId").GetString()!));
        }

        fake.CloudTasks.Pause(CloudTasksSchedulerTest.Queue);
        clock.SetUtcNow(s_event.AddMinutes(9));
        var before = fake.Requests.Count(r => r.Api is FakeApi.ContainerLogs or FakeApi.AuditLogs);
        var (first, _) = await PostAsync(host.Client, "completions", Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{ids[0].Value}\",\"part\":2}}"));
        Assert.Equal(HttpStatusCode.OK, first);
        var reads = fake.Requests.Count(r => r.Api is FakeApi.ContainerLogs or FakeApi.AuditLogs) - before;
        var allowance = ReadAllowance.ForDispatch(500).Reads;
        var complete = 0;
        foreach (var id in ids)
        {
            complete += (await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!.State == Completeness.Complete ? 1 : 0;
        }

        // One dispatch read no more than the allowance, and it did not finish all ten (each part reads a page).
        Assert.InRange(reads, 1, allowance);
        Assert.True(complete is >= 1 and <= 9, $"{complete} of 10 complete after one dispatch that read {reads} pages (allowance {allowance})");

        // Their own tasks (and the parts the allowance deferred) finish them all, every entry once.
        fake.CloudTasks.Resume(CloudTasksSchedulerTest.Queue);
        // A part the allowance cut short is due again a minute later: the clock moves a minute once nothing is due.
        for (var minute = 10; minute <= 40 && await CompleteAsync() < ids.Count; minute++)
        {
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (fake.CloudTasks.Tasks(CloudTasksSchedulerTest.Queue).Any(t => t.ScheduleTime <= clock.GetUtcNow()))
                {
                    await Task.Delay(100, wait.Token);
                }
            }

            clock.SetUtcNow(s_event.AddMinutes(minute));
        }

        Assert.Equal(ids.Count, await CompleteAsync());
        clock.SetUtcNow(s_event.AddMinutes(60));
        await fake.CloudTasks.WaitUntilDrainedAsync(TimeSpan.FromSeconds(60));

        async Task<int> CompleteAsync()
        {
            var n = 0;
            foreach (var id in ids)
            {
                n += (await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!.State == Completeness.Complete ? 1 : 0;
            }

            return n;
        }
    }

    [Fact]
    public async Task A_completion_starts_no_sibling_it_cannot_finish_before_the_request_timeout_and_their_own_tasks_do_them()
    {
        // 60 s of request: a part may take the 45 s collection deadline plus the time to store, so no sibling fits.
        await using var deployed = await Deployed.StartAsync(new Dictionary<string, string> { ["REQUEST_TIMEOUT_SECONDS"] = "60" });
        var (clock, fake, store, host) = (deployed.Clock, deployed.Fake, deployed.Store, deployed.Host);
        var ids = new List<BundleId>();
        foreach (var finding in new[] { "late1", "late2", "late3" })
        {
            var json = Notifications.SampleNotification();
            json.Finding()["name"] = $"organizations/418230051457/sources/9347120561842215403/locations/global/findings/{finding}";
            var (status, body) = await PostAsync(host.Client, "", Notifications.PushBody(json.Bytes(), "msg-" + finding));
            Assert.Equal((HttpStatusCode.OK, "stored"), (status, body.GetProperty("outcome").GetString()));
            ids.Add(BundleId.Parse(body.GetProperty("bundleId").GetString()!));
        }

        // Every task carries the request timeout as its dispatchDeadline.
        Assert.All(fake.Requests.Where(r => r.Api == FakeApi.CloudTasks && r.Method == "POST"), r =>
            Assert.Equal("60s", JsonDocument.Parse(r.Body!).RootElement.GetProperty("task").GetProperty("dispatchDeadline").GetString()));

        fake.CloudTasks.Pause(CloudTasksSchedulerTest.Queue);
        clock.SetUtcNow(s_event.AddMinutes(9));
        var (first, _) = await PostAsync(host.Client, "completions", Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{ids[0].Value}\",\"part\":2}}"));
        Assert.Equal(HttpStatusCode.OK, first);
        var states = new List<Completeness>();
        foreach (var id in ids)
        {
            states.Add((await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!.State);
        }

        Assert.Equal([Completeness.Complete, Completeness.Pending, Completeness.Pending], states);

        fake.CloudTasks.Resume(CloudTasksSchedulerTest.Queue);
        await fake.CloudTasks.WaitUntilDrainedAsync(TimeSpan.FromSeconds(30));
        foreach (var id in ids)
        {
            Assert.Equal(Completeness.Complete, (await LogicalBundle.ReadAsync(store, id, CancellationToken.None))!.State);
        }
    }

    [Fact]
    public async Task A_completion_not_yet_due_answers_429_with_Retry_After()
    {
        var clock = new FakeTimeProvider(s_event.AddMinutes(2));
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { Clock = clock });
        using var folder = new TempFolder();
        var variables = new Dictionary<string, string>(fake.EnvironmentVariables) { ["EVIDENCE_DIR"] = folder.Path };
        await using var host = await FunctionHost.StartAsync(variables, new LocalEvidenceStore(folder.Path), new FixedTokenSource(fake.AccessToken), services => services.AddSingleton<TimeProvider>(clock));
        var (_, stored) = await PostAsync(host.Client, "", TestData.Sample("reverse-shell.pubsub-push.json"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = Json(Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{stored.GetProperty("bundleId").GetString()}\",\"part\":2}}")) };
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(7));
    }

    private static async Task<(HttpStatusCode, JsonElement)> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 || !text.StartsWith('{') ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>The real app on Kestrel with the Cloud Tasks fake's queue as COMPLETION_QUEUE, its own /completions as COMPLETION_URL, on a clock the test moves.</summary>
    private sealed class Deployed : IAsyncDisposable
    {
        private readonly TempFolder _folder;

        private Deployed(FakeTimeProvider clock, FakeGoogleApis fake, TempFolder folder, LocalEvidenceStore store, FunctionHost host)
        {
            (Clock, Fake, _folder, Store, Host) = (clock, fake, folder, store, host);
        }

        public FakeTimeProvider Clock { get; }

        public FakeGoogleApis Fake { get; }

        public LocalEvidenceStore Store { get; }

        public FunctionHost Host { get; }

        public static async Task<Deployed> StartAsync(IReadOnlyDictionary<string, string>? extra = null, Action<IServiceCollection>? services = null)
        {
            var clock = new FakeTimeProvider(s_event.AddMinutes(2));
            var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions
            {
                Clock = clock,
                TaskQueues = [new FakeTaskQueueSettings { Name = CloudTasksSchedulerTest.Queue }],
            });
            var folder = new TempFolder();
            var port = FunctionHost.FreePort();
            var variables = new Dictionary<string, string>(fake.EnvironmentVariables)
            {
                ["EVIDENCE_DIR"] = folder.Path,
                ["RELATED_WINDOW_MINUTES"] = "5",
                ["COMPLETION_QUEUE"] = CloudTasksSchedulerTest.Queue,
                ["COMPLETION_URL"] = $"http://127.0.0.1:{port}/completions",
                ["COMPLETION_SERVICE_ACCOUNT"] = CloudTasksSchedulerTest.Invoker,
            };
            foreach (var (name, value) in extra ?? new Dictionary<string, string>())
            {
                variables[name] = value;
            }

            var store = new LocalEvidenceStore(folder.Path);
            var host = await FunctionHost.StartAsync(
                variables,
                store,
                new FixedTokenSource(fake.AccessToken),
                collection =>
                {
                    collection.AddSingleton<TimeProvider>(clock);
                    services?.Invoke(collection);
                },
                port);
            return new Deployed(clock, fake, folder, store, host);
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Fake.DisposeAsync();
            _folder.Dispose();
        }
    }
}
