using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Parts;

namespace ReverseShellFunction.Infrastructure.Tasks;

/// <summary>
/// Schedules a part as one Cloud Tasks HTTP task over REST (<c>POST v2/{queue}/tasks</c>): at the part's due time
/// Cloud Tasks POSTs <c>{"bundleId","part"}</c> to the completion endpoint with an OIDC token of the configured
/// service account, and retries it by the queue's retry config while the endpoint answers 429/503. The task is
/// named after bundle and part (<see cref="CompletionTaskName"/>): creating a named task is idempotent, so a
/// redelivered event, or this client's own retry of a create whose answer was lost, ends in 409 ALREADY_EXISTS,
/// which means "already scheduled". Calls go through <see cref="GoogleApiClient"/>: the function's token,
/// retries on 429/5xx, a timeout per attempt.
/// </summary>
internal sealed class CloudTasksScheduler(GoogleApiClient client, CompletionSettings settings, ILogger<CloudTasksScheduler> logger) : ICompletionScheduler
{
    // Inside a delivery: room for the client's retries of an unavailable API, yet well under the ack deadline.
    // Past it the caller answers 503, the delivery comes back and creates the same task name.
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(20);

    // The completion endpoint reads the body with the web defaults: camelCase, compact.
    private static readonly JsonSerializerOptions s_requestJson = new(JsonSerializerDefaults.Web);

    private readonly string _queue = settings.Queue ?? throw new ArgumentException("Cloud Tasks scheduling needs COMPLETION_QUEUE.", nameof(settings));
    private readonly string _url = settings.Url?.AbsoluteUri ?? throw new ArgumentException("Cloud Tasks scheduling needs COMPLETION_URL.", nameof(settings));
    private readonly string _serviceAccount = settings.ServiceAccount ?? throw new ArgumentException("Cloud Tasks scheduling needs COMPLETION_SERVICE_ACCOUNT.", nameof(settings));
    private readonly string _audience = settings.Audience!;
    private readonly string _dispatchDeadline = ((long)settings.DispatchDeadline.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    // After _queue: initializers run in order, so a missing queue is reported by name first.
    private readonly Uri _create = ApiUri.Build(settings.CloudTasksEndpoint, ["v2", .. settings.Queue!.Split('/'), "tasks"]);

    public string Kind => "cloud-tasks";

    public async Task<ScheduleResult> ScheduleAsync(CompletionTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var name = CompletionTaskName.Name(_queue, task);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(s_budget);
        try
        {
            using var answer = await client.PostJsonAsync(_create, Body(task, name), budget.Token);
            logger.LogInformation(
                "Scheduled part {Part} of bundle {BundleId} for {Due:O} as Cloud Tasks task {TaskName}", task.Part, task.Id.Value, task.Due, name);
            return ScheduleResult.Scheduled;
        }
        catch (GoogleApiException ex) when (ex is { HttpStatus: 409, Status: "ALREADY_EXISTS" })
        {
            // The name exists, or existed within the last hour: an earlier delivery, or an attempt of this very call
            // whose answer was lost, created it. ABORTED (also 409) is a conflict, not this: a failure below.
            logger.LogInformation(
                "Part {Part} of bundle {BundleId} is already scheduled: Cloud Tasks task {TaskName} exists", task.Part, task.Id.Value, name);
            return ScheduleResult.AlreadyScheduled;
        }
        catch (GoogleApiException ex)
        {
            throw new CompletionSchedulingException($"Cloud Tasks did not create task {name}: {ex.Describe()}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CompletionSchedulingException(
                $"Cloud Tasks did not create task {name} within {s_budget.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", ex);
        }
    }

    private byte[] Body(CompletionTask task, string name)
    {
        var body = new JsonObject
        {
            ["task"] = new JsonObject
            {
                ["name"] = name,
                ["scheduleTime"] = Rfc3339(task.Due),

                // At or below the service's request timeout: Cloud Tasks' 10 min default would wait on a request
                // Cloud Run has already cut off (300 s by default) before the task is retried.
                ["dispatchDeadline"] = _dispatchDeadline,
                ["httpRequest"] = new JsonObject
                {
                    ["url"] = _url,
                    ["httpMethod"] = "POST",
                    ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                    ["body"] = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(task.Request, s_requestJson)),
                    ["oidcToken"] = new JsonObject
                    {
                        ["serviceAccountEmail"] = _serviceAccount,
                        ["audience"] = _audience,
                    },
                },
            },
            // The answer is only read for its status; BASIC leaves the payload out of it.
            ["responseView"] = "BASIC",
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    // UTC with 'Z' and microseconds, the precision Cloud Tasks keeps of a schedule time.
    private static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
