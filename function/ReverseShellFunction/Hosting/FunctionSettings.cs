using System.Globalization;
using System.Text;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Rules;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Every setting the function reads, from flat environment variables (the names the README's configuration
/// table and the Terraform use). Bad values fail at start with a message naming the variable.
/// </summary>
public sealed record FunctionSettings
{
    public string EvidenceDir { get; init; } = "./evidence";
    public string? EvidenceBucket { get; init; }
    public string? StorageEmulatorHost { get; init; }
    public string SccEndpoint { get; init; } = "https://securitycenter.googleapis.com";
    public string RunEndpoint { get; init; } = "https://run.googleapis.com";
    public string LoggingEndpoint { get; init; } = "https://logging.googleapis.com";
    public bool CloudLoggingJson { get; init; }
    public string? GoogleCloudProject { get; init; }
    public required RulesOptions Rules { get; init; }
    public required CollectionOptions Collection { get; init; }

    /// <summary>Custody (issue 13): KMS_KEY_VERSION, SIGNING_KEY_FILE, TSA_URL, KMS_API_ENDPOINT.</summary>
    public Custody.CustodySettings Custody { get; init; } = new();

    public static FunctionSettings From(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        string? Get(string name) => lookup(name) is { Length: > 0 } value ? value.Trim() : null;
        return new FunctionSettings
        {
            EvidenceDir = Get("EVIDENCE_DIR") ?? "./evidence",
            EvidenceBucket = Get("EVIDENCE_BUCKET"),
            StorageEmulatorHost = Get("STORAGE_EMULATOR_HOST"),
            SccEndpoint = Endpoint(Get, "SCC_API_ENDPOINT", "https://securitycenter.googleapis.com"),
            RunEndpoint = Endpoint(Get, "RUN_API_ENDPOINT", "https://run.googleapis.com"),
            LoggingEndpoint = Endpoint(Get, "LOGGING_API_ENDPOINT", "https://logging.googleapis.com"),
            CloudLoggingJson = Get("K_SERVICE") is not null,
            GoogleCloudProject = Get("GOOGLE_CLOUD_PROJECT"),
            Rules = new RulesOptions
            {
                Categories = Get("COLLECT_CATEGORIES") is { } list
                    ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                    : ["Reverse Shell"],
                CollectMuted = Bool(Get, "COLLECT_MUTED", false),
            },
            Collection = new CollectionOptions
            {
                Deadline = TimeSpan.FromSeconds(Number(Get, "COLLECTION_DEADLINE_SECONDS", 45, 1, 3600)),
                CollectorTimeout = TimeSpan.FromSeconds(Number(Get, "COLLECTOR_TIMEOUT_SECONDS", 40, 1, 3600)),
                RelatedWindow = TimeSpan.FromMinutes(Number(Get, "RELATED_WINDOW_MINUTES", 60, 1, 7 * 24 * 60)),
                RelatedMaxFindings = (int)Number(Get, "RELATED_MAX_FINDINGS", 500, 1, 100_000),
                LogWindowBefore = TimeSpan.FromMinutes(Number(Get, "LOG_WINDOW_BEFORE_MINUTES", 30, 0, 7 * 24 * 60)),
                LogWindowAfter = TimeSpan.FromMinutes(Number(Get, "LOG_WINDOW_AFTER_MINUTES", 5, 0, 7 * 24 * 60)),
                AuditWindow = TimeSpan.FromDays(Number(Get, "AUDIT_WINDOW_DAYS", 7, 1, 400)),
                LogMaxEntries = (int)Number(Get, "LOG_MAX_ENTRIES", 10_000, 1, 10_000_000),
                LogMaxBytes = Number(Get, "LOG_MAX_BYTES", 50L * 1024 * 1024, 1024, 10L * 1024 * 1024 * 1024),
                RedactionKey = Get("REDACTION_HMAC_KEY") is { } key ? Encoding.UTF8.GetBytes(key) : null,
            },
            Custody = ReverseShellFunction.Custody.CustodySettings.From(Get, name => Endpoint(Get, name, "https://cloudkms.googleapis.com")),
        };
    }

    private static long Number(Func<string, string?> get, string name, long fallback, long min, long max)
    {
        var text = get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidOperationException($"{name} must be a whole number from {min} to {max}; it is '{text}'.");
        }

        return value;
    }

    private static bool Bool(Func<string, string?> get, string name, bool fallback) => get(name)?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var other => throw new InvalidOperationException($"{name} must be true or false; it is '{other}'."),
    };

    private static string Endpoint(Func<string, string?> get, string name, string fallback)
    {
        var text = get(name) ?? fallback;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{name} must be an http(s) URL such as {fallback}; it is '{text}'.");
        }

        return text.TrimEnd('/');
    }
}
