using System.Reflection;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Infrastructure.Kms;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Infrastructure.PubSub;
using ReverseShellFunction.Infrastructure.Scc;
using ReverseShellFunction.Infrastructure.Signing;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Infrastructure.Tasks;
using ReverseShellFunction.Infrastructure.Timestamp;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the pipeline, its store, custody, notifications and completion scheduling; in the DI namespace by convention.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddEvidencePipeline(this IServiceCollection services, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Rules);
        services.AddSingleton(settings.Collection);
        services.AddSingleton(settings.CompletionTiming);
        // A clock registered before (tests, benchmarks) is kept.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(ToolVersion());
        services.AddSingleton<CollectionRules>();
        services.AddSingleton<CollectionRunner>();
        services.AddSingleton(provider => new EvidenceFunction(
            provider.GetRequiredService<CollectionRules>(),
            provider.GetRequiredService<CollectionRunner>(),
            provider.GetRequiredService<IEvidenceStore>(),
            new PartWriting(provider.GetRequiredService<ToolInfo>(), provider.GetService<ManifestSealer>()),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EvidenceFunction>>(),
            new PipelineTiming { Completion = settings.CompletionTiming, Delivery = settings.Delivery },
            new PartFollowUps(provider.GetService<ICompletionScheduler>(), provider.GetService<IBundleNotifier>(), provider.GetService<IFindingMarker>())));
        services.AddSingleton<QuarantineWriter>();
        services.AddSingleton<IntakeProcessor>();
        services.AddEvidenceStore(settings.EvidenceDir, settings.EvidenceBucket, settings.StorageEmulatorHost);
        services.AddCollectors(settings);
        AddCustody(services, settings);
        AddNotifications(services, settings);
        AddCompletionScheduler(services, settings);
        return services;
    }

    /// <summary>
    /// The folder store (EVIDENCE_DIR) unless EVIDENCE_BUCKET names a bucket; then the bucket store, through one
    /// StorageClient for the app's lifetime (it owns the connection pool and the credentials), aimed at
    /// STORAGE_EMULATOR_HOST when that is set. A store registered before (tests) is kept. The read-only commands
    /// compose this alone.
    /// </summary>
    public static IServiceCollection AddEvidenceStore(this IServiceCollection services, string evidenceDir, string? evidenceBucket, string? storageEmulatorHost)
    {
        if (evidenceBucket is not { } bucket)
        {
            services.TryAddSingleton<IEvidenceStore>(_ => new LocalEvidenceStore(evidenceDir));
            return services;
        }

        services.TryAddSingleton(provider => StorageClientFactory.Create(storageEmulatorHost, provider.GetService<CredentialEnvironment>() ?? CredentialEnvironment.System));
        services.AddSingleton(new GcsStoreOptions { Bucket = GcsStoreOptions.BucketName(bucket) });
        services.TryAddSingleton<IEvidenceStore, GcsEvidenceStore>();
        return services;
    }

    /// <summary>The manifest sealer and its parts; after AddCollectors (it uses their HTTP client).</summary>
    private static void AddCustody(IServiceCollection services, FunctionSettings settings)
    {
        var custody = settings.Custody;
        services.AddSingleton(provider => new CloudKmsApi(provider.GetRequiredService<GoogleApiClient>(), custody.KmsEndpoint));
        if (custody.KmsKeyVersion is { } version)
        {
            services.AddSingleton<IManifestSigner>(provider => new CloudKmsSigner(provider.GetRequiredService<CloudKmsApi>(), version));
        }
        else if (custody.SigningKeyFile is { } file)
        {
            // Read now, so a missing or wrong key stops the start with a message naming SIGNING_KEY_FILE.
            services.AddSingleton<IManifestSigner>(PemManifestSigner.FromFile(file));
        }

        if (custody.TsaUrl is { } tsa)
        {
            services.AddSingleton<ITimestampAuthority>(provider => new Rfc3161TimestampClient(
                provider.GetRequiredKeyedService<HttpClient>(CollectorServiceCollectionExtensions.HttpClientKey), tsa));
        }

        services.AddSingleton<IStorageProtectionReader>(provider => settings.EvidenceBucket is { } bucket
            ? new GcsStorageProtection(provider.GetRequiredService<StorageClient>(), GcsStoreOptions.BucketName(bucket))
            : new LocalStorageProtection(settings.EvidenceDir));
        services.AddSingleton(provider => new ManifestSealer(
            provider.GetService<IManifestSigner>(),
            provider.GetService<ITimestampAuthority>(),
            provider.GetRequiredService<IStorageProtectionReader>(),
            provider.GetRequiredService<ILogger<ManifestSealer>>(),
            provider.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// The bundle notifier (Pub/Sub when NOTIFY_TOPIC is set) and the finding marker (SCC security marks when
    /// MARK_FINDINGS is true).
    /// </summary>
    private static void AddNotifications(IServiceCollection services, FunctionSettings settings)
    {
        if (settings.NotifyTopic is { } topic)
        {
            services.AddSingleton<IBundleNotifier>(provider => new PubSubNotifier(
                provider.GetRequiredService<GoogleApiClient>(),
                settings.PubSubEndpoint,
                topic,
                provider.GetRequiredService<ILogger<PubSubNotifier>>()));
        }
        else
        {
            services.AddSingleton<IBundleNotifier>(NoBundleNotifier.Instance);
        }

        if (settings.MarkFindings)
        {
            services.AddSingleton<IFindingMarker>(provider => new SccFindingMarker(
                provider.GetRequiredService<GoogleApiClient>(),
                new SccEndpoints(settings.SccEndpointOverride),
                settings.Collection.SccScope,
                provider.GetRequiredService<ILogger<SccFindingMarker>>()));
        }
    }

    /// <summary>
    /// Cloud Tasks when COMPLETION_QUEUE is set, over the shared <see cref="GoogleApiClient"/> (registered by the
    /// collectors): the queue calls <c>POST /completions</c>. Otherwise the embedded default: pending records in the
    /// evidence store, and a background runner in <c>serve</c> that a new record wakes. The runner is registered in
    /// both cases for <c>complete</c>, which works from the records.
    /// </summary>
    private static void AddCompletionScheduler(IServiceCollection services, FunctionSettings settings)
    {
        services.AddSingleton<CompletionWakeup>();
        services.AddSingleton<CompletionRunner>();
        services.AddSingleton<IDispatchReads>(new DispatchReads(settings.Collection));
        services.AddSingleton(provider => new CompletionDispatch(
            provider.GetRequiredService<EvidenceFunction>(),
            settings.Collection,
            settings.Completion.RequestTimeout,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<CompletionDispatch>>(),
            provider.GetService<CompletionSiblings>(),
            provider.GetRequiredService<IDispatchReads>()));
        if (settings.Completion.Queue is not null)
        {
            // Siblings: the first due completion of a group runs the others with it (CompletionSiblings). The
            // embedded runner needs none of it: it runs every due part of the folder in one pass anyway.
            services.AddSingleton<CompletionSiblings>();
            services.AddSingleton<ICompletionScheduler>(provider => new SiblingRecordingScheduler(
                new CloudTasksScheduler(
                    provider.GetRequiredService<GoogleApiClient>(),
                    settings.Completion,
                    provider.GetRequiredService<ILogger<CloudTasksScheduler>>()),
                provider.GetRequiredService<CompletionSiblings>()));
            return;
        }

        services.AddSingleton<ICompletionScheduler>(provider => new PendingRecordScheduler(
            provider.GetRequiredService<IEvidenceStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<CompletionWakeup>().Signal));
        services.AddHostedService<EmbeddedCompletionService>();
    }

    private static ToolInfo ToolVersion()
    {
        var assembly = typeof(ServiceCollectionExtensions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return new ToolInfo("ReverseShellFunction", version);
    }
}
