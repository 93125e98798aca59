using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.PubSub;
using ReverseShellFunction.Infrastructure.Scc;
using ReverseShellFunction.Pipeline;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The bundle notifier (Pub/Sub when NOTIFY_TOPIC is set) and the finding marker (SCC security marks when
/// MARK_FINDINGS is true); in the DI namespace by convention.
/// </summary>
public static class NotifyServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
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

        return services;
    }
}
