using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the pipeline; in the DI namespace by convention.</summary>
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
        services.AddCustody(settings);
        services.AddNotifications(settings);
        services.AddCompletionScheduler(settings);
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

    private static ToolInfo ToolVersion()
    {
        var assembly = typeof(ServiceCollectionExtensions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return new ToolInfo("ReverseShellFunction", version);
    }
}
