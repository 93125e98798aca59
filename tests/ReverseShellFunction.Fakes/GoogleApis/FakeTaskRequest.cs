using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// Reads a tasks.create body (<c>{"task": {...}, "responseView"}</c>) as strictly as the API does: unknown fields,
/// a malformed name, URL, method, base64 body or timestamp are 400 INVALID_ARGUMENT with Google's wording, so a
/// client's typo fails here as it would against Cloud Tasks. Only HTTP tasks with an OIDC token or none are taken.
/// </summary>
internal static partial class FakeTaskRequest
{
    // Cloud Tasks' limits: a task of 1 MB at most, scheduled at most 30 days ahead, dispatch deadline 15 s to 30 min.
    private const int MaxTaskBytes = 1024 * 1024;
    private static readonly TimeSpan s_maxScheduleAhead = TimeSpan.FromDays(30);
    private static readonly TimeSpan s_defaultDeadline = TimeSpan.FromMinutes(10);
    private static readonly string[] s_methods = ["POST", "GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"];

    private static readonly Dictionary<string, string[]> s_fields = new(StringComparer.Ordinal)
    {
        [""] = ["task", "responseView"],
        ["task"] = ["name", "scheduleTime", "httpRequest", "dispatchDeadline", "createTime", "dispatchCount", "responseCount", "firstAttempt", "lastAttempt", "view"],
        ["task.http_request"] = ["url", "httpMethod", "headers", "body", "oidcToken"],
        ["task.http_request.oidc_token"] = ["serviceAccountEmail", "audience"],
    };

    public sealed record Parsed(FakeQueuedTask Task, bool FullView);

    /// <summary>The task, or the 400 message that refuses it.</summary>
    public static (Parsed? Task, string? Error) Read(string queue, string body, DateTimeOffset now, long sequence)
    {
        if (body.Length > MaxTaskBytes + 4096)
        {
            return (null, $"Task size too large: the maximum task size is {MaxTaskBytes} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (Unknown(root, "") is { } unknown)
            {
                return (null, unknown);
            }

            var view = Text(root, "responseView") ?? "BASIC";
            if (view is not ("BASIC" or "FULL" or "VIEW_UNSPECIFIED"))
            {
                return (null, $"Invalid value at 'response_view' (type.googleapis.com/google.cloud.tasks.v2.Task.View), \"{view}\"");
            }

            if (!root.TryGetProperty("task", out var task) || task.ValueKind != JsonValueKind.Object)
            {
                return (null, "Task must be set.");
            }

            var (parsed, error) = ReadTask(queue, task, now, sequence);
            return parsed is null ? (null, error) : (new Parsed(parsed, view == "FULL"), null);
        }
        catch (JsonException ex)
        {
            return (null, $"Invalid JSON payload received. {ex.Message}");
        }
    }

    private static (FakeQueuedTask? Task, string? Error) ReadTask(string queue, JsonElement task, DateTimeOffset now, long sequence)
    {
        if (Unknown(task, "task") is { } unknown)
        {
            return (null, unknown);
        }

        var name = Text(task, "name") ?? $"{queue}/tasks/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))}";
        var match = TaskName().Match(name);
        if (!match.Success)
        {
            return (null, "Task name must be formatted: \"projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>/tasks/<TASK_ID>\", where TASK_ID contains only letters, numbers, hyphens and underscores, at most 500 characters.");
        }

        if (match.Groups["queue"].Value != queue)
        {
            return (null, $"The task name \"{name}\" does not belong to the queue \"{queue}\" it is created in.");
        }

        if (!task.TryGetProperty("httpRequest", out var http) || http.ValueKind != JsonValueKind.Object)
        {
            return (null, "Task.http_request must be set: this queue takes HTTP target tasks.");
        }

        if (Unknown(http, "task.http_request") is { } unknownHttp)
        {
            return (null, unknownHttp);
        }

        var url = Text(http, "url");
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || url.Length >= 2083)
        {
            return (null, "HttpRequest.url must be an absolute URL that starts with 'http://' or 'https://', shorter than 2083 characters.");
        }

        var method = Text(http, "httpMethod") ?? "POST";
        if (!s_methods.Contains(method))
        {
            return (null, $"Invalid value at 'task.http_request.http_method' (type.googleapis.com/google.cloud.tasks.v2.HttpMethod), \"{method}\"");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (http.TryGetProperty("headers", out var headerObject))
        {
            if (headerObject.ValueKind != JsonValueKind.Object || headerObject.EnumerateObject().Any(h => h.Value.ValueKind != JsonValueKind.String))
            {
                return (null, "Invalid value at 'task.http_request.headers': expected a map of header names to string values.");
            }

            foreach (var header in headerObject.EnumerateObject())
            {
                headers[header.Name] = header.Value.GetString()!;
            }
        }

        byte[] bytes = [];
        if (Text(http, "body") is { } encoded)
        {
            try
            {
                bytes = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                return (null, $"Invalid value at 'task.http_request.body' (TYPE_BYTES), Base64 decoding failed for \"{encoded[..Math.Min(encoded.Length, 40)]}\"");
            }

            if (bytes.Length > 0 && method is not ("POST" or "PUT" or "PATCH"))
            {
                return (null, "A request body is allowed only if the HTTP method is POST, PUT, or PATCH.");
            }
        }

        string? account = null;
        string? audience = null;
        if (http.TryGetProperty("oidcToken", out var oidc))
        {
            if (oidc.ValueKind != JsonValueKind.Object)
            {
                return (null, "Invalid value at 'task.http_request.oidc_token': expected an object.");
            }

            if (Unknown(oidc, "task.http_request.oidc_token") is { } unknownOidc)
            {
                return (null, unknownOidc);
            }

            account = Text(oidc, "serviceAccountEmail");
            if (account is null)
            {
                return (null, "OidcToken.service_account_email must be set.");
            }

            // "If not specified, the URI specified in target will be used."
            audience = Text(oidc, "audience") is { Length: > 0 } given ? given : url;
        }

        var schedule = now;
        if (Text(task, "scheduleTime") is { } scheduleText)
        {
            if (!TryTimestamp(scheduleText, out schedule))
            {
                return (null, $"Invalid value at 'task.schedule_time' (type.googleapis.com/google.protobuf.Timestamp), Field 'scheduleTime', Invalid time format: Failed to parse input \"{scheduleText}\"");
            }

            if (schedule - now > s_maxScheduleAhead)
            {
                return (null, "Task.schedule_time is too far in the future: it can be at most 30 days after the current time.");
            }

            // "If schedule_time is not set or is in the past then Cloud Tasks will set it to the current time."
            schedule = schedule < now ? now : schedule;
        }

        var deadline = s_defaultDeadline;
        if (Text(task, "dispatchDeadline") is { } deadlineText
            && (!TryDuration(deadlineText, out deadline) || deadline < TimeSpan.FromSeconds(15) || deadline > TimeSpan.FromMinutes(30)))
        {
            return (null, "Task.dispatch_deadline must be a duration from 15s to 1800s.");
        }

        if (bytes.Length + url.Length + headers.Sum(h => h.Key.Length + h.Value.Length) > MaxTaskBytes)
        {
            return (null, $"Task size too large: the maximum task size is {MaxTaskBytes} bytes.");
        }

        return (new FakeQueuedTask
        {
            Name = name,
            CreateTime = now,
            ScheduleTime = schedule,
            Url = url,
            HttpMethod = method,
            Headers = headers,
            Body = bytes,
            OidcServiceAccount = account,
            OidcAudience = audience,
            DispatchDeadline = deadline,
            Sequence = sequence,
        }, null);
    }

    /// <summary>Google's answer to a field the message does not have, e.g. <c>Unknown name "foo" at 'task': Cannot find field.</c></summary>
    private static string? Unknown(JsonElement element, string path)
    {
        var known = s_fields[path];
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                var where = path.Length == 0 ? "" : $" at '{path}'";
                return $"Invalid JSON payload received. Unknown name \"{property.Name}\"{where}: Cannot find field.";
            }
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new JsonException($"Invalid value at '{name}': expected a string.")
            : null;

    // google.protobuf.Timestamp in JSON: RFC 3339 with 'Z' or an offset, up to nine fractional digits.
    private static bool TryTimestamp(string text, out DateTimeOffset time)
    {
        time = default;
        var match = Timestamp().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var fraction = match.Groups["fraction"].Value;
        var trimmed = fraction.Length > 7 ? fraction[..7] : fraction;
        return DateTimeOffset.TryParse(match.Groups["seconds"].Value + (trimmed.Length > 0 ? "." + trimmed : "") + match.Groups["zone"].Value,
            CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time);
    }

    // google.protobuf.Duration in JSON: seconds with an 's' suffix, e.g. "600s" or "1.5s".
    private static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        return text.EndsWith('s')
            && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && (duration = TimeSpan.FromSeconds(seconds)) >= TimeSpan.Zero;
    }

    [GeneratedRegex(@"^(?<queue>projects/[^/]+/locations/[^/]+/queues/[^/]+)/tasks/[A-Za-z0-9_-]{1,500}\z")]
    private static partial Regex TaskName();

    [GeneratedRegex(@"^(?<seconds>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<zone>Z|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Timestamp();
}
