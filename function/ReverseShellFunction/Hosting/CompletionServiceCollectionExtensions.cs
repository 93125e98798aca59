using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Tasks;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Where completions are scheduled and who runs them; in the DI namespace by convention.</summary>
public static class CompletionServiceCollectionExtensions
{
    /// <summary>
    /// Cloud Tasks when COMPLETION_QUEUE is set, over the shared <see cref="GoogleApiClient"/> (registered by the
    /// collectors): the queue calls <c>POST /completions</c>. Otherwise the embedded default: pending records in the
    /// evidence store, and a background runner in <c>serve</c> that a new record wakes. The runner is registered in
    /// both cases for <c>complete</c>, which works from the records.
    /// </summary>
    public static IServiceCollection AddCompletionScheduler(this IServiceCollection services, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
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
            return services;
        }

        services.AddSingleton<ICompletionScheduler>(provider => new PendingRecordScheduler(
            provider.GetRequiredService<IEvidenceStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<CompletionWakeup>().Signal));
        services.AddHostedService<EmbeddedCompletionService>();
        return services;
    }
}
