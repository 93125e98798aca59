using System.Globalization;
using System.Text;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Every setting the function reads, with its default and limits: the one place they are written down.
/// <see cref="FunctionSettings.From"/> parses with these limits, the README's configuration table is
/// <see cref="MarkdownTable"/>, and a test holds the Terraform variable validations to the same numbers
/// (a Terraform input the app would refuse is a revision that never becomes ready).
/// To add a setting: a field here and an entry in <see cref="All"/>; read it in <see cref="FunctionSettings.From"/>
/// through the field; paste the table the failing README test prints into README.md. A number set by Terraform
/// names its input, and that input's validation repeats these limits (<c>var.x &gt;= MIN &amp;&amp; var.x &lt;= MAX
/// &amp;&amp; floor(var.x) == var.x</c>) with the same default.
/// </summary>
internal static class SettingsCatalog
{
    // Cloud Run's request timeout is at most 3600 s and the deadline must end before it.
    private const long MaxDeadlineSeconds = 3599;

    public static readonly NumberSetting Port = new(
        "PORT", 8080, 1, 65535, "HTTP port of `serve` (Cloud Run sets it)");

    public static readonly Setting EvidenceDir = new(
        "EVIDENCE_DIR", "`./evidence`", "local evidence folder, when no bucket is set");

    public static readonly Setting EvidenceBucket = new(
        "EVIDENCE_BUCKET", "–", "Cloud Storage bucket for bundles, index and quarantine", "bucket_name");

    public static readonly Setting StorageEmulatorHost = new(
        "STORAGE_EMULATOR_HOST", "–", "Cloud Storage emulator or fake (unauthenticated)");

    public static readonly Setting CollectCategories = new(
        "COLLECT_CATEGORIES", "`Reverse Shell`", "comma-separated categories to collect, case-insensitive", "categories");

    public static readonly Setting CollectMuted = new(
        "COLLECT_MUTED", "`false`", "also collect muted findings (`true`/`false`)", "collect_muted");

    // Pub/Sub's longest ack deadline is 600 s; the answer must come before it.
    public static readonly NumberSetting DeliveryBudgetSeconds = new(
        "DELIVERY_BUDGET_SECONDS", 8, 1, 599,
        "a pushed delivery is answered this long after Pub/Sub sent it (from its publish time when under this, else from receipt): collectors stop early enough to store part 1 by then, and what they had not finished continues in part 2; below the ack deadline (Eventarc's: reported 10 s)",
        "delivery_budget_seconds");

    public static readonly NumberSetting CollectionDeadlineSeconds = new(
        "COLLECTION_DEADLINE_SECONDS", 45, 1, MaxDeadlineSeconds,
        "one deadline for all collectors of a part together; below the service timeout (a delivery's part 1 ends sooner, at its budget)",
        "collection_deadline_seconds");

    public static readonly NumberSetting CollectorTimeoutSeconds = new(
        "COLLECTOR_TIMEOUT_SECONDS", 40, 1, MaxDeadlineSeconds, "each collector's own limit inside that deadline");

    public static readonly NumberSetting RelatedWindowMinutes = new(
        "RELATED_WINDOW_MINUTES", 60, 1, 7 * 24 * 60, "related findings this long before and after the event", "related_window_minutes");

    public static readonly NumberSetting RelatedMaxFindings = new(
        "RELATED_MAX_FINDINGS", 500, 1, 100_000, "cap on related findings (truncated flag)", "related_max_findings");

    public static readonly NumberSetting LogWindowBeforeMinutes = new(
        "LOG_WINDOW_BEFORE_MINUTES", 30, 0, 24 * 60, "container logs from this long before the event", "log_window_before_minutes");

    public static readonly NumberSetting LogWindowAfterMinutes = new(
        "LOG_WINDOW_AFTER_MINUTES", 5, 0, 24 * 60, "container logs until this long after the event", "log_window_after_minutes");

    // The admin-activity audit log is kept 400 days.
    public static readonly NumberSetting AuditWindowDays = new(
        "AUDIT_WINDOW_DAYS", 7, 1, 400, "admin-activity audit log window before the event", "audit_window_days");

    public static readonly NumberSetting LogMaxEntries = new(
        "LOG_MAX_ENTRIES", 10_000, 1, 10_000_000, "cap on entries per log file (truncated flag)", "log_max_entries");

    public static readonly NumberSetting LogMaxBytes = new(
        "LOG_MAX_BYTES", 50L * 1024 * 1024, 1024, 10L * 1024 * 1024 * 1024,
        "cap on bytes per log file (truncated flag); staged in memory on Cloud Run", "log_max_bytes");

    public static readonly Setting RedactionHmacKey = new(
        "REDACTION_HMAC_KEY", "–", "key for HMAC-SHA256 fingerprints of redacted values (env values, secrets in args and headers); absent → no fingerprints",
        "redaction_key_secret_id");

    public static readonly Setting SccScope = new(
        "SCC_SCOPE", "`project`",
        "where findings are listed, as the findingsViewer grant: `project` (from the finding's `canonicalName`, else its resource's project; security marks are written through the `projects/…` form) or `organization`",
        "organization_id");

    public static readonly Setting SccApiEndpoint = new(
        "SCC_API_ENDPOINT", "by location",
        "SCC API root for every finding (tests, private endpoints); unset, as Terraform leaves it: `https://securitycenter.googleapis.com` for `global` findings, `https://securitycenter.LOCATION.rep.googleapis.com` for a finding in another location");

    // Cloud Logging documents no upper bound on ingestion latency; an hour is past any sensible wait.
    public static readonly NumberSetting LogIngestionDelaySeconds = new(
        "LOG_INGESTION_DELAY_SECONDS", 120, 0, 3600,
        "log windows are read up to now minus this; a later configured end leaves the collector `partial` (window still open)");

    // Logging keeps _Default entries 30 days: past that, nothing is left to complete with.
    public static readonly NumberSetting CompletionGiveUpHours = new(
        "COMPLETION_GIVE_UP_HOURS", 24, 1, 720,
        "a bundle left `pending` (a window still open, a transient failure) is retried until complete or this long after its first part; then it is stored `incomplete`, saying what is missing",
        "completion_give_up_hours");

    public static readonly Setting LoggingQuotaProject = new(
        "LOGGING_QUOTA_PROJECT", "`caller`",
        "whose Logging read quota log reads use: `caller` (the function's project) or `target` (the workload's project, sent as `x-goog-user-project`; needs `serviceusage.services.use` there)");

    public static readonly Setting RunApiEndpoint = new(
        "RUN_API_ENDPOINT", "`https://run.googleapis.com`", "Cloud Run API root, for tests and private endpoints");

    public static readonly Setting LoggingApiEndpoint = new(
        "LOGGING_API_ENDPOINT", "`https://logging.googleapis.com`", "Cloud Logging API root, for tests and private endpoints");

    public static readonly Setting GceMetadataHost = new(
        "GCE_METADATA_HOST", "–", "metadata server for credentials (honoured by Google.Apis.Auth)");

    public static readonly Setting KService = new(
        "K_SERVICE", "–", "set by Cloud Run; switches logs to Cloud Logging JSON");

    public static readonly Setting GoogleCloudProject = new(
        "GOOGLE_CLOUD_PROJECT", "–", "lets log lines carry `logging.googleapis.com/trace`", "project_id");

    // Custody (issue 13): Custody/CustodySettings.cs reads these.
    public static readonly Setting KmsKeyVersion = new(
        "KMS_KEY_VERSION", "–",
        "Cloud KMS key version (`projects/…/cryptoKeys/K/cryptoKeyVersions/N`) that signs manifests ([Custody model](#custody-model))",
        "custody_key_version");

    public static readonly Setting SigningKeyFile = new(
        "SIGNING_KEY_FILE", "–", "PEM ECDSA P-256 private key that signs manifests locally, instead of KMS (not both)");

    public static readonly Setting TsaUrl = new(
        "TSA_URL", "–", "RFC 3161 time-stamping authority; none by default", "custody_tsa_url");

    public static readonly Setting KmsApiEndpoint = new(
        "KMS_API_ENDPOINT", "`https://cloudkms.googleapis.com`", "Cloud KMS API root, for tests and private endpoints");

    public static readonly Setting NotifyTopic = new(
        "NOTIFY_TOPIC", "–",
        "`projects/P/topics/T`: one small JSON message per stored bundle, published after its index entry; a failed publish is logged, never fails the delivery; subscribers de-duplicate on the `dedupKey` attribute (`BUNDLE_ID/PART`), since a publish whose answer was lost is sent again ([docs/responder.md](docs/responder.md))",
        "notify_enabled");

    public static readonly Setting PubSubApiEndpoint = new(
        "PUBSUB_API_ENDPOINT", "`https://pubsub.googleapis.com`", "Pub/Sub API root, for tests and the emulator (plain HTTP)");

    public static readonly Setting MarkFindings = new(
        "MARK_FINDINGS", "`false`",
        "write the bundle's id, URI and SHA-256 as security marks on the finding (SCC v2 `updateSecurityMarks`, those keys only); the follow-up notification is acknowledged without a new bundle",
        "mark_findings");

    // Completion scheduling: Completion/CompletionSettings.cs reads these.
    public static readonly Setting CompletionQueue = new(
        "COMPLETION_QUEUE", "–",
        "`projects/P/locations/L/queues/Q`: Cloud Tasks queue that schedules a bundle's later parts (task per part, named after bundle id and part); unset: the embedded pending records",
        "completion_tasks_enabled");

    public static readonly Setting CompletionUrl = new(
        "COMPLETION_URL", "–",
        "with `COMPLETION_QUEUE`, required: the completion endpoint's https URL the tasks POST to; its origin is the OIDC audience",
        "completion_tasks_enabled");

    public static readonly Setting CompletionServiceAccount = new(
        "COMPLETION_SERVICE_ACCOUNT", "–",
        "with `COMPLETION_QUEUE`, required: service account (of the queue's project) whose OIDC token each task carries; the function needs `iam.serviceAccounts.actAs` on it",
        "completion_tasks_enabled");

    public static readonly NumberSetting RequestTimeoutSeconds = new(
        "REQUEST_TIMEOUT_SECONDS", 300, 1, 3600,
        "the service's request timeout as Cloud Run applies it: each completion task's `dispatchDeadline` (at least 15 s with `COMPLETION_QUEUE`), and `/completions` starts no sibling part it cannot finish within it",
        "timeout_seconds");

    public static readonly Setting CloudTasksApiEndpoint = new(
        "CLOUD_TASKS_API_ENDPOINT", "`https://cloudtasks.googleapis.com`", "Cloud Tasks API root, for tests and private endpoints");

    // Not variables, but defaults all the same (CompletionOptions): the completion backoff's first and longest wait.
    public static readonly TimeSpan CompletionRetryAfter = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan CompletionMaxRetryAfter = TimeSpan.FromMinutes(30);

    /// <summary>In the order of the README table.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        Port, EvidenceDir, EvidenceBucket, StorageEmulatorHost, CollectCategories, CollectMuted,
        DeliveryBudgetSeconds, CollectionDeadlineSeconds, CollectorTimeoutSeconds, RelatedWindowMinutes, RelatedMaxFindings,
        LogWindowBeforeMinutes, LogWindowAfterMinutes, AuditWindowDays, LogMaxEntries, LogMaxBytes,
        LogIngestionDelaySeconds, CompletionGiveUpHours, LoggingQuotaProject, RedactionHmacKey, SccScope, SccApiEndpoint, RunApiEndpoint, LoggingApiEndpoint,
        GceMetadataHost, KService, GoogleCloudProject,
        KmsKeyVersion, SigningKeyFile, TsaUrl, KmsApiEndpoint,
        NotifyTopic, PubSubApiEndpoint, MarkFindings,
        CompletionQueue, CompletionUrl, CompletionServiceAccount, RequestTimeoutSeconds, CloudTasksApiEndpoint,
    ];

    /// <summary>How every setting is read from <paramref name="variables"/>: empty is unset, a value is trimmed.</summary>
    public static Func<string, string?> Lookup(Func<string, string?> variables) =>
        name => variables(name) is { Length: > 0 } value ? value.Trim() : null;

    /// <summary>The README's configuration table, exactly (a test compares the two).</summary>
    public static string MarkdownTable()
    {
        var table = new StringBuilder();
        table.Append("| Variable | Default | Limits | Meaning | Terraform input |\n");
        table.Append("|---|---|---|---|---|\n");
        foreach (var setting in All)
        {
            var input = setting.TerraformVariable is { } name ? $"`{name}`" : "–";
            table.Append(CultureInfo.InvariantCulture, $"| `{setting.Name}` | {setting.DefaultText} | {setting.LimitsText} | {setting.Meaning} | {input} |\n");
        }

        return table.ToString();
    }
}
