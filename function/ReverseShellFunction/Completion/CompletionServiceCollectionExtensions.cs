using ReverseShellFunction.Collect.GoogleApis;
using ReverseShellFunction.Completion;
using ReverseShellFunction.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The Cloud Tasks completion scheduler when COMPLETION_QUEUE is set; in the DI namespace by convention.</summary>
public static class CompletionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICompletionScheduler"/> as Cloud Tasks when a queue is configured, over the shared
    /// <see cref="GoogleApiClient"/> (registered by the collectors). Without a queue nothing is registered here:
    /// the embedded default, pending records in the evidence store, comes with the pipeline's completion wiring.
    /// </summary>
    public static IServiceCollection AddCompletionScheduler(this IServiceCollection services, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Completion.Queue is not null)
        {
            services.AddSingleton<ICompletionScheduler>(provider => new CloudTasksScheduler(
                provider.GetRequiredService<GoogleApiClient>(),
                settings.Completion,
                provider.GetRequiredService<ILogger<CloudTasksScheduler>>()));
        }

        return services;
    }
}
