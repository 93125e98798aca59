using Google.Cloud.Storage.V1;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Kms;
using ReverseShellFunction.Infrastructure.Signing;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Infrastructure.Timestamp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the manifest sealer and its parts; in the DI namespace by convention. Call after AddCollectors.</summary>
public static class CustodyServiceCollectionExtensions
{
    public static IServiceCollection AddCustody(this IServiceCollection services, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
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
        return services;
    }
}
