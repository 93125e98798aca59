using ReverseShellFunction.Completion;
using ReverseShellFunction.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Where completions are scheduled. A scheduler registered before this (Cloud Tasks, when COMPLETION_QUEUE is set)
/// is kept; otherwise the embedded default: pending records in the store, and a background runner in <c>serve</c>
/// that a new record wakes.
/// </summary>
internal static class CompletionServiceCollectionExtensions
{
    public static IServiceCollection AddEmbeddedCompletion(this IServiceCollection services)
    {
        services.AddSingleton<CompletionWakeup>();
        services.AddSingleton<CompletionRunner>();
        if (services.Any(d => d.ServiceType == typeof(ICompletionScheduler)))
        {
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
