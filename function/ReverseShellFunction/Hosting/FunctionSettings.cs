using System.Text;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Infrastructure.Scc;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Rules;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// Every setting the function reads, from flat environment variables. Names, defaults and limits come from
/// <see cref="SettingsCatalog"/>, which the README's configuration table and the Terraform validations are held
/// to. Bad values fail at start with one message naming the variable.
/// </summary>
public sealed record FunctionSettings
{
    /// <summary>The port <c>serve</c> listens on (all interfaces) unless ASP.NET Core is given its own URLs.</summary>
    public required int Port { get; init; }
    public required string EvidenceDir { get; init; }
    public string? EvidenceBucket { get; init; }
    public string? StorageEmulatorHost { get; init; }
    /// <summary>SCC_API_ENDPOINT when set: the one SCC root for every location. Null: Google's hosts by location.</summary>
    public string? SccEndpointOverride { get; init; }

    public string SccEndpoint => SccEndpointOverride ?? SccEndpoints.Global;
    public required string RunEndpoint { get; init; }
    public required string LoggingEndpoint { get; init; }
    public bool CloudLoggingJson { get; init; }
    public string? GoogleCloudProject { get; init; }
    /// <summary>NOTIFY_TOPIC: <c>projects/P/topics/T</c> to publish one message per stored bundle to; none when unset.</summary>
    public string? NotifyTopic { get; init; }
    public required string PubSubEndpoint { get; init; }

    /// <summary>MARK_FINDINGS: write the bundle's id, URI and SHA-256 as security marks on the finding.</summary>
    public bool MarkFindings { get; init; }
    public required RulesOptions Rules { get; init; }
    public required CollectionOptions Collection { get; init; }

    /// <summary>COMPLETION_GIVE_UP_HOURS and the backoff of completions.</summary>
    public required CompletionOptions CompletionTiming { get; init; }

    /// <summary>DELIVERY_BUDGET_SECONDS: how long a pushed delivery may take before it is answered.</summary>
    public required Pipeline.DeliveryOptions Delivery { get; init; }

    /// <summary>Custody (issue 13): KMS_KEY_VERSION, SIGNING_KEY_FILE, TSA_URL, KMS_API_ENDPOINT.</summary>
    public required CustodySettings Custody { get; init; }

    /// <summary>Completion scheduling: COMPLETION_QUEUE, COMPLETION_URL, COMPLETION_SERVICE_ACCOUNT, CLOUD_TASKS_API_ENDPOINT.</summary>
    public required CompletionSettings Completion { get; init; }

    public static FunctionSettings From(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var get = SettingsCatalog.Lookup(lookup);
        TimeSpan Seconds(NumberSetting setting) => TimeSpan.FromSeconds(setting.Number(get));
        TimeSpan Minutes(NumberSetting setting) => TimeSpan.FromMinutes(setting.Number(get));
        return new FunctionSettings
        {
            Port = (int)SettingsCatalog.Port.Number(get),
            EvidenceDir = SettingsCatalog.EvidenceDir.Text(get)!,
            EvidenceBucket = SettingsCatalog.EvidenceBucket.Text(get),
            StorageEmulatorHost = SettingsCatalog.StorageEmulatorHost.Text(get),
            SccEndpointOverride = get(SettingsCatalog.SccApiEndpoint.Name) is null ? null : SettingsCatalog.SccApiEndpoint.Endpoint(get, SccEndpoints.Global),
            RunEndpoint = SettingsCatalog.RunApiEndpoint.Endpoint(get),
            LoggingEndpoint = SettingsCatalog.LoggingApiEndpoint.Endpoint(get),
            CloudLoggingJson = SettingsCatalog.KService.Text(get) is not null,
            GoogleCloudProject = SettingsCatalog.GoogleCloudProject.Text(get),
            NotifyTopic = Topic(SettingsCatalog.NotifyTopic.Text(get)),
            PubSubEndpoint = SettingsCatalog.PubSubApiEndpoint.Endpoint(get),
            MarkFindings = SettingsCatalog.MarkFindings.Flag(get),
            Rules = new RulesOptions
            {
                Categories = [.. SettingsCatalog.CollectCategories.Text(get)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                CollectMuted = SettingsCatalog.CollectMuted.Flag(get),
            },
            Collection = new CollectionOptions
            {
                Deadline = Seconds(SettingsCatalog.CollectionDeadlineSeconds),
                CollectorTimeout = Seconds(SettingsCatalog.CollectorTimeoutSeconds),
                RelatedWindow = Minutes(SettingsCatalog.RelatedWindowMinutes),
                RelatedMaxFindings = (int)SettingsCatalog.RelatedMaxFindings.Number(get),
                LogWindowBefore = Minutes(SettingsCatalog.LogWindowBeforeMinutes),
                LogWindowAfter = Minutes(SettingsCatalog.LogWindowAfterMinutes),
                AuditWindow = TimeSpan.FromDays(SettingsCatalog.AuditWindowDays.Number(get)),
                LogMaxEntries = (int)SettingsCatalog.LogMaxEntries.Number(get),
                LogMaxBytes = SettingsCatalog.LogMaxBytes.Number(get),
                SccScope = SettingsCatalog.SccScope.Is(get, "organization") ? SccScope.Organization : SccScope.Project,
                LogIngestionDelay = Seconds(SettingsCatalog.LogIngestionDelaySeconds),
                LogReadsUseTargetQuota = SettingsCatalog.LoggingQuotaProject.Is(get, "target"),
                RedactionKey = SettingsCatalog.RedactionHmacKey.Text(get) is { } key ? Encoding.UTF8.GetBytes(key) : null,
            },
            Delivery = new Pipeline.DeliveryOptions { Budget = Seconds(SettingsCatalog.DeliveryBudgetSeconds) },
            CompletionTiming = new CompletionOptions
            {
                GiveUpAfter = TimeSpan.FromHours(SettingsCatalog.CompletionGiveUpHours.Number(get)),
                RetryAfter = SettingsCatalog.CompletionRetryAfter,
                MaxRetryAfter = SettingsCatalog.CompletionMaxRetryAfter,
            },
            Custody = CustodySettings.From(get),
            Completion = CompletionSettings.From(get),
        };
    }

    // Pub/Sub's documented rules: a project id, and a topic id of 3 to 255 characters starting with a letter.
    private static string? Topic(string? text) =>
        text is null || System.Text.RegularExpressions.Regex.IsMatch(text, @"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/topics/[A-Za-z][-A-Za-z0-9._~%+]{2,254}\z")
            ? text
            : throw new InvalidOperationException($"NOTIFY_TOPIC must be a topic name such as projects/my-project/topics/evidence-stored; it is '{text}'.");
}
