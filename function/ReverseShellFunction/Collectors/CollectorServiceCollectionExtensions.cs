using Microsoft.Extensions.DependencyInjection.Extensions;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Run;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Infrastructure.Logging;
using ReverseShellFunction.Infrastructure.Run;
using ReverseShellFunction.Infrastructure.Scc;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the collectors and their REST adapters; in the DI namespace by convention.</summary>
public static class CollectorServiceCollectionExtensions
{
    /// <summary>Key of the one HttpClient all Google API adapters share.</summary>
    public const string HttpClientKey = "google-apis";

    /// <summary>
    /// The five collectors over SCC, Cloud Run Admin and Cloud Logging at the endpoints in
    /// <paramref name="settings"/>. Token source and retry policy are added only if absent, so tests and demos can
    /// register their own first.
    /// </summary>
    public static IServiceCollection AddCollectors(this IServiceCollection services, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddGoogleApiClient();
        services.AddSingleton(provider => new SccFindingsApi(provider.GetRequiredService<GoogleApiClient>(), new SccEndpoints(settings.SccEndpointOverride)));
        services.AddSingleton(provider => new CloudRunApi(provider.GetRequiredService<GoogleApiClient>(), settings.RunEndpoint));
        // One coalescer per instance: concurrent deliveries share identical log reads (Logging allows 60 a minute per project).
        services.TryAddSingleton(provider => new LogReadCoalescer(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new LoggingApi(
            provider.GetRequiredService<GoogleApiClient>(), settings.LoggingEndpoint, provider.GetRequiredService<LogReadCoalescer>()));
        services.AddSingleton<ICollector, FindingAuthenticityCollector>();
        services.AddSingleton<ICollector, RelatedFindingsCollector>();
        services.AddSingleton<ICollector, CloudRunCollector>();
        services.AddSingleton<ICollector, ContainerLogsCollector>();
        services.AddSingleton<ICollector, AuditLogsCollector>();
        return services;
    }

    /// <summary>
    /// The one client every Google API adapter shares, with its token source, retry policy and clock (each only
    /// when absent). The read-only commands register this alone, for the Cloud KMS public keys.
    /// </summary>
    public static IServiceCollection AddGoogleApiClient(this IServiceCollection services)
    {
        services.TryAddSingleton(CredentialEnvironment.System);
        services.TryAddSingleton<IAccessTokenSource, ApplicationDefaultTokenSource>();
        services.TryAddSingleton(new RetryPolicy());
        services.TryAddSingleton(TimeProvider.System);

        // One client for the process: pooled connections, recycled so DNS changes are seen. No client-wide
        // timeout: each attempt has its own (RetryPolicy.AttemptTimeout) under the collection deadline.
        services.AddKeyedSingleton(HttpClientKey, (_, _) => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        });
        services.AddSingleton(provider => new GoogleApiClient(
            provider.GetRequiredKeyedService<HttpClient>(HttpClientKey),
            provider.GetRequiredService<IAccessTokenSource>(),
            provider.GetRequiredService<RetryPolicy>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<GoogleApiClient>>()));
        return services;
    }
}
