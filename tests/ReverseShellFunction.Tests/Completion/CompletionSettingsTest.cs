using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>COMPLETION_* settings: read at start, refused in one line naming the variable, the scheduler registered only with a queue.</summary>
public sealed class CompletionSettingsTest
{
    private const string Queue = CloudTasksSchedulerTest.Queue;
    private const string Url = "https://reverse-shell-function-123456789012.europe-west1.run.app/completions";

    private static Dictionary<string, string> Complete() => new()
    {
        ["COMPLETION_QUEUE"] = Queue,
        ["COMPLETION_URL"] = Url,
        ["COMPLETION_SERVICE_ACCOUNT"] = CloudTasksSchedulerTest.Invoker,
    };

    [Fact]
    public void Unset_means_no_Cloud_Tasks()
    {
        var settings = FunctionSettings.From(_ => null).Completion;

        Assert.Null(settings.Queue);
        Assert.Null(settings.Url);
        Assert.Null(settings.Audience);
        Assert.Equal("https://cloudtasks.googleapis.com", settings.CloudTasksEndpoint);
    }

    [Fact]
    public void A_queue_with_its_URL_and_account_is_read_and_the_audience_is_the_URL_s_origin()
    {
        var env = Complete();
        env["CLOUD_TASKS_API_ENDPOINT"] = "http://127.0.0.1:8091/";

        var settings = FunctionSettings.From(env.GetValueOrDefault).Completion;

        Assert.Equal(Queue, settings.Queue);
        Assert.Equal(new Uri(Url), settings.Url);
        Assert.Equal("https://reverse-shell-function-123456789012.europe-west1.run.app", settings.Audience);
        Assert.Equal(CloudTasksSchedulerTest.Invoker, settings.ServiceAccount);
        Assert.Equal("http://127.0.0.1:8091", settings.CloudTasksEndpoint);
    }

    [Theory]
    [InlineData("COMPLETION_URL", null, "COMPLETION_URL is required with COMPLETION_QUEUE")]
    [InlineData("COMPLETION_SERVICE_ACCOUNT", null, "COMPLETION_SERVICE_ACCOUNT is required with COMPLETION_QUEUE")]
    [InlineData("COMPLETION_QUEUE", "evidence-completions", "COMPLETION_QUEUE must be a queue name such as projects/")]
    [InlineData("COMPLETION_QUEUE", "projects/sec-tools-2231/locations/europe-west1/queues/bad_queue", "COMPLETION_QUEUE must be a queue name")]
    [InlineData("COMPLETION_QUEUE", "projects/sec-tools-2231/queues/evidence-completions", "COMPLETION_QUEUE must be a queue name")]
    [InlineData("COMPLETION_QUEUE", "projects/sec-tools-2231/locations/europe-west1/queues/q/tasks/t", "COMPLETION_QUEUE must be a queue name")]
    [InlineData("COMPLETION_URL", "http://reverse-shell-function-123456789012.europe-west1.run.app/completions", "COMPLETION_URL must be an https URL")]
    [InlineData("COMPLETION_URL", "/completions", "COMPLETION_URL must be an https URL")]
    [InlineData("COMPLETION_URL", "https://user:secret@example.run.app/completions", "COMPLETION_URL must be an https URL")]
    [InlineData("COMPLETION_SERVICE_ACCOUNT", "not-an-email", "COMPLETION_SERVICE_ACCOUNT must be a service account e-mail")]
    [InlineData("COMPLETION_SERVICE_ACCOUNT", "someone@example.com", "COMPLETION_SERVICE_ACCOUNT must be a service account e-mail")]
    [InlineData("COMPLETION_SERVICE_ACCOUNT", "reverse-shell-delivery@other-project-1.iam.gserviceaccount.com", "COMPLETION_SERVICE_ACCOUNT must be a service account of the queue's project sec-tools-2231")]
    [InlineData("CLOUD_TASKS_API_ENDPOINT", "cloudtasks.googleapis.com", "CLOUD_TASKS_API_ENDPOINT must be an http(s) URL")]
    public void A_bad_or_missing_value_stops_the_start_naming_the_variable(string name, string? value, string message)
    {
        var env = Complete();
        if (value is null)
        {
            env.Remove(name);
        }
        else
        {
            env[name] = value;
        }

        var error = Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(env.GetValueOrDefault));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("COMPLETION_URL", Url)]
    [InlineData("COMPLETION_SERVICE_ACCOUNT", CloudTasksSchedulerTest.Invoker)]
    public void A_URL_or_account_without_a_queue_is_refused(string name, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(n => n == name ? value : null));

        Assert.Equal("COMPLETION_URL and COMPLETION_SERVICE_ACCOUNT apply only with COMPLETION_QUEUE; set the queue or unset them.", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/completions")]
    [InlineData("http://localhost:8080/completions")]
    [InlineData("http://[::1]:8080/completions")]
    public void Plain_http_is_taken_on_a_loopback_address_only(string url)
    {
        var env = Complete();
        env["COMPLETION_URL"] = url;

        Assert.Equal(new Uri(url), FunctionSettings.From(env.GetValueOrDefault).Completion.Url);
    }

    [Fact]
    public void Google_managed_service_account_forms_are_taken()
    {
        var env = Complete();
        env["COMPLETION_SERVICE_ACCOUNT"] = "123456789012-compute@developer.gserviceaccount.com";

        Assert.Equal("123456789012-compute@developer.gserviceaccount.com", FunctionSettings.From(env.GetValueOrDefault).Completion.ServiceAccount);
    }

    [Fact]
    public async Task Serve_with_a_queue_but_no_URL_exits_2_with_one_line()
    {
        var env = Complete();
        env.Remove("COMPLETION_URL");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = CommandLineApp.Create(HostEnvironment.Isolated(env.GetValueOrDefault));

        var code = await CommandLineApp.InvokeAsync(root, ["serve"], new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: COMPLETION_URL is required with COMPLETION_QUEUE", error.ToString().Trim(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_function_resolves_a_Cloud_Tasks_scheduler_only_when_a_queue_is_set()
    {
        await using var fake = await FakeGoogleApis.StartAsync(new FakeGoogleApisOptions { TaskQueues = [new FakeTaskQueueSettings { Name = Queue, Paused = true }] });
        var env = new Dictionary<string, string>(fake.EnvironmentVariables);
        await using (var plain = await FunctionHost.StartAsync(env))
        {
            // Without a queue: the embedded default, pending records in the store.
            Assert.Equal("pending-records", plain.Services.GetRequiredService<ICompletionScheduler>().Kind);
        }

        foreach (var (name, value) in Complete())
        {
            env[name] = value;
        }

        await using var host = await FunctionHost.StartAsync(env, tokens: new FixedTokenSource(fake.AccessToken));
        var scheduler = host.Services.GetRequiredService<ICompletionScheduler>();

        Assert.Equal("cloud-tasks", scheduler.Kind);
        Assert.Equal(ScheduleResult.Scheduled, await scheduler.ScheduleAsync(CloudTasksSchedulerTest.Part(2), CancellationToken.None));
        var task = Assert.Single(fake.CloudTasks.Tasks(Queue));
        Assert.Equal(Url, task.Url);
        Assert.Equal("https://reverse-shell-function-123456789012.europe-west1.run.app", task.OidcAudience);
    }
}
