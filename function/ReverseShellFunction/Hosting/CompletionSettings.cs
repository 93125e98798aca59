using System.Net;
using System.Text.RegularExpressions;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Where later parts of a bundle are scheduled: a Cloud Tasks queue (COMPLETION_QUEUE) whose tasks POST to the
/// completion endpoint (COMPLETION_URL) with an OIDC token of COMPLETION_SERVICE_ACCOUNT, through the Cloud Tasks
/// API root CLOUD_TASKS_API_ENDPOINT. No queue: the embedded default (pending records in the evidence store).
/// </summary>
public sealed partial record CompletionSettings
{
    /// <summary><c>projects/P/locations/L/queues/Q</c>; null: no Cloud Tasks.</summary>
    public string? Queue { get; init; }

    /// <summary>The completion endpoint's full URL, e.g. <c>https://SERVICE-NUMBER.REGION.run.app/completions</c>.</summary>
    public Uri? Url { get; init; }

    /// <summary>The service account whose OIDC token Cloud Tasks attaches to each dispatch.</summary>
    public string? ServiceAccount { get; init; }

    public required string CloudTasksEndpoint { get; init; }

    /// <summary>Cloud Tasks' bounds of an HTTP task's <c>dispatchDeadline</c>.</summary>
    public static readonly TimeSpan MinDispatchDeadline = TimeSpan.FromSeconds(15);

    /// <inheritdoc cref="MinDispatchDeadline"/>
    public static readonly TimeSpan MaxDispatchDeadline = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The service's request timeout (REQUEST_TIMEOUT_SECONDS): past it Cloud Run cuts the request off, so a
    /// completion must be done by then and no task waits longer for its answer.
    /// </summary>
    public required TimeSpan RequestTimeout { get; init; }

    /// <summary>
    /// Each task's <c>dispatchDeadline</c>: the request timeout (within Cloud Tasks' 30 min), so Cloud Tasks stops
    /// waiting, and retries, when Cloud Run has stopped the request, instead of its 10 min default.
    /// </summary>
    public TimeSpan DispatchDeadline => RequestTimeout < MaxDispatchDeadline ? RequestTimeout : MaxDispatchDeadline;

    /// <summary>
    /// The token's audience: the URL's origin, which for Cloud Run is the service's own run.app URL, the value
    /// Cloud Run checks the <c>aud</c> claim against (a path in it would not match).
    /// </summary>
    public string? Audience => Url?.GetLeftPart(UriPartial.Authority);

    internal static CompletionSettings From(Func<string, string?> get)
    {
        var queue = get(SettingsCatalog.CompletionQueue.Name);
        var url = get(SettingsCatalog.CompletionUrl.Name);
        var account = get(SettingsCatalog.CompletionServiceAccount.Name);
        var root = SettingsCatalog.CloudTasksApiEndpoint.Endpoint(get);
        if (queue is null)
        {
            // A URL or account without a queue means someone expects Cloud Tasks and would silently get pending records.
            return url is null && account is null
                ? new CompletionSettings { CloudTasksEndpoint = root, RequestTimeout = RequestTimeoutFrom(get) }
                : throw new InvalidOperationException("COMPLETION_URL and COMPLETION_SERVICE_ACCOUNT apply only with COMPLETION_QUEUE; set the queue or unset them.");
        }

        var name = QueueName().Match(queue);
        if (!name.Success)
        {
            throw new InvalidOperationException(
                $"COMPLETION_QUEUE must be a queue name such as projects/my-project/locations/europe-west1/queues/completions; it is '{DisplayText.Visible(queue)}'.");
        }

        var settings = new CompletionSettings
        {
            Queue = queue,
            Url = CompletionUrl(url),
            ServiceAccount = Account(account, name.Groups["project"].Value),
            CloudTasksEndpoint = root,
            RequestTimeout = RequestTimeoutFrom(get),
        };

        // Cloud Tasks refuses a deadline under 15 s; a longer one than the timeout would outlast the request.
        return settings.RequestTimeout < MinDispatchDeadline
            ? throw new InvalidOperationException(
                $"REQUEST_TIMEOUT_SECONDS must be at least {MinDispatchDeadline.TotalSeconds:0} with COMPLETION_QUEUE: it is each task's dispatchDeadline, and Cloud Tasks' minimum is {MinDispatchDeadline.TotalSeconds:0} s.")
            : settings;
    }

    private static TimeSpan RequestTimeoutFrom(Func<string, string?> get) =>
        TimeSpan.FromSeconds(SettingsCatalog.RequestTimeoutSeconds.Number(get));

    private static Uri CompletionUrl(string? text)
    {
        if (text is null)
        {
            throw new InvalidOperationException(
                "COMPLETION_URL is required with COMPLETION_QUEUE: the completion endpoint's URL, such as https://SERVICE-PROJECT_NUMBER.REGION.run.app/completions.");
        }

        // The dispatch carries a bearer token: plain http only where it never leaves the machine (tests, demos).
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)))
            || uri.UserInfo.Length > 0
            || uri.Fragment.Length > 0)
        {
            throw new InvalidOperationException(
                $"COMPLETION_URL must be an https URL without user info or fragment (http only on a loopback address), such as https://SERVICE-PROJECT_NUMBER.REGION.run.app/completions; it is '{DisplayText.Visible(text)}'.");
        }

        return uri;
    }

    private static string Account(string? text, string queueProject)
    {
        if (text is null)
        {
            throw new InvalidOperationException(
                "COMPLETION_SERVICE_ACCOUNT is required with COMPLETION_QUEUE: the e-mail of the service account whose OIDC token Cloud Tasks sends to COMPLETION_URL.");
        }

        var account = ServiceAccountEmail().Match(text);
        if (!account.Success)
        {
            throw new InvalidOperationException(
                $"COMPLETION_SERVICE_ACCOUNT must be a service account e-mail such as invoker@my-project.iam.gserviceaccount.com; it is '{DisplayText.Visible(text)}'.");
        }

        // Cloud Tasks mints OIDC tokens only for service accounts of the queue's project; every task would be refused.
        if (account.Groups["project"].Success && account.Groups["project"].Value != queueProject)
        {
            throw new InvalidOperationException(
                $"COMPLETION_SERVICE_ACCOUNT must be a service account of the queue's project {queueProject}; it is '{DisplayText.Visible(text)}'.");
        }

        return text;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));

    // Cloud Tasks' rules: a project id, a location id, and a queue id of letters, digits and hyphens, at most 100.
    [GeneratedRegex(@"^projects/(?<project>[a-z][-a-z0-9]{4,28}[a-z0-9])/locations/[a-z]+-[a-z]+[0-9]+/queues/[A-Za-z0-9-]{1,100}\z")]
    private static partial Regex QueueName();

    // A user-managed account (ACCOUNT@PROJECT.iam.gserviceaccount.com) names its project; Google's own
    // forms (NUMBER-compute@developer…, PROJECT@appspot…) are taken as they are.
    [GeneratedRegex(@"^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]@(?<project>[a-z][-a-z0-9]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com|(?!.*\.iam\.gserviceaccount\.com\z)[a-z0-9-]{1,63}@[a-z0-9.-]+\.gserviceaccount\.com)\z")]
    private static partial Regex ServiceAccountEmail();
}
