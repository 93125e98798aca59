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
        string? Get(string name) => lookup(name) is { Length: > 0 } value ? value.Trim() : null;
        long Number(NumberSetting setting) => setting.Read(Get(setting.Name));
        return new FunctionSettings
        {
            Port = (int)Number(SettingsCatalog.Port),
            EvidenceDir = Get(SettingsCatalog.EvidenceDir.Name) ?? SettingsCatalog.EvidenceDir.DefaultValue!,
            EvidenceBucket = Get(SettingsCatalog.EvidenceBucket.Name),
            StorageEmulatorHost = Get(SettingsCatalog.StorageEmulatorHost.Name),
            SccEndpointOverride = Get(SettingsCatalog.SccApiEndpoint.Name) is null ? null : Endpoint(Get, SettingsCatalog.SccApiEndpoint.Name, SccEndpoints.Global),
            RunEndpoint = Endpoint(Get, SettingsCatalog.RunApiEndpoint),
            LoggingEndpoint = Endpoint(Get, SettingsCatalog.LoggingApiEndpoint),
            CloudLoggingJson = Get(SettingsCatalog.KService.Name) is not null,
            GoogleCloudProject = Get(SettingsCatalog.GoogleCloudProject.Name),
            NotifyTopic = Topic(Get(SettingsCatalog.NotifyTopic.Name)),
            PubSubEndpoint = Endpoint(Get, SettingsCatalog.PubSubApiEndpoint),
            MarkFindings = Bool(Get, SettingsCatalog.MarkFindings.Name, false),
            Rules = new RulesOptions
            {
                Categories = Get(SettingsCatalog.CollectCategories.Name) is { } list
                    ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                    : ["Reverse Shell"],
                CollectMuted = Bool(Get, SettingsCatalog.CollectMuted.Name, false),
            },
            Collection = new CollectionOptions
            {
                Deadline = TimeSpan.FromSeconds(Number(SettingsCatalog.CollectionDeadlineSeconds)),
                CollectorTimeout = TimeSpan.FromSeconds(Number(SettingsCatalog.CollectorTimeoutSeconds)),
                RelatedWindow = TimeSpan.FromMinutes(Number(SettingsCatalog.RelatedWindowMinutes)),
                RelatedMaxFindings = (int)Number(SettingsCatalog.RelatedMaxFindings),
                LogWindowBefore = TimeSpan.FromMinutes(Number(SettingsCatalog.LogWindowBeforeMinutes)),
                LogWindowAfter = TimeSpan.FromMinutes(Number(SettingsCatalog.LogWindowAfterMinutes)),
                AuditWindow = TimeSpan.FromDays(Number(SettingsCatalog.AuditWindowDays)),
                LogMaxEntries = (int)Number(SettingsCatalog.LogMaxEntries),
                LogMaxBytes = Number(SettingsCatalog.LogMaxBytes),
                SccScope = Choice(Get, SettingsCatalog.SccScope.Name, "project", "organization") == "project" ? SccScope.Project : SccScope.Organization,
                LogIngestionDelay = TimeSpan.FromSeconds(Number(SettingsCatalog.LogIngestionDelaySeconds)),
                LogReadsUseTargetQuota = Choice(Get, SettingsCatalog.LoggingQuotaProject.Name, "caller", "target") == "target",
                RedactionKey = Get(SettingsCatalog.RedactionHmacKey.Name) is { } key ? Encoding.UTF8.GetBytes(key) : null,
            },
            Delivery = new Pipeline.DeliveryOptions { Budget = TimeSpan.FromSeconds(Number(SettingsCatalog.DeliveryBudgetSeconds)) },
            CompletionTiming = new CompletionOptions { GiveUpAfter = TimeSpan.FromHours(Number(SettingsCatalog.CompletionGiveUpHours)) },
            Custody = CustodySettings.From(Get, setting => Endpoint(Get, setting)),
            Completion = CompletionSettings.From(Get, setting => Endpoint(Get, setting))
                .WithRequestTimeout(TimeSpan.FromSeconds(Number(SettingsCatalog.RequestTimeoutSeconds))),
        };
    }

    private static bool Bool(Func<string, string?> get, string name, bool fallback) => get(name)?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var other => throw new InvalidOperationException($"{name} must be true or false; it is '{other}'."),
    };

    /// <summary>One of two words, case-insensitive; the first when unset.</summary>
    private static string Choice(Func<string, string?> get, string name, string first, string second) => get(name)?.ToLowerInvariant() switch
    {
        null => first,
        var value when value == first || value == second => value,
        var other => throw new InvalidOperationException($"{name} must be {first} or {second}; it is '{other}'."),
    };

    // Pub/Sub's documented rules: a project id, and a topic id of 3 to 255 characters starting with a letter.
    private static string? Topic(string? text) =>
        text is null || System.Text.RegularExpressions.Regex.IsMatch(text, @"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/topics/[A-Za-z][-A-Za-z0-9._~%+]{2,254}\z")
            ? text
            : throw new InvalidOperationException($"NOTIFY_TOPIC must be a topic name such as projects/my-project/topics/evidence-stored; it is '{text}'.");

    /// <summary>An http(s) API root from <paramref name="setting"/>, else its catalog default.</summary>
    internal static string Endpoint(Func<string, string?> get, Setting setting) => Endpoint(get, setting.Name, setting.DefaultValue!);

    /// <summary>An http(s) API root from <paramref name="name"/>, else <paramref name="fallback"/>; anything else: one message naming the variable.</summary>
    internal static string Endpoint(Func<string, string?> get, string name, string fallback)
    {
        var text = get(name) ?? fallback;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{name} must be an http(s) URL such as {fallback}; it is '{text}'.");
        }

        return text.TrimEnd('/');
    }
}
