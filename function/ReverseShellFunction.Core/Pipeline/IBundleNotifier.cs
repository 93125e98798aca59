using ReverseShellFunction.Bundle;
namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Tells people that a bundle was stored (a Pub/Sub topic that teams connect to chat or tickets). Called once
/// per stored bundle, after its index entry is written. The pipeline logs a failure and goes on: a
/// notification that could not be sent never fails the delivery, because the evidence is already safe.
/// </summary>
public interface IBundleNotifier
{
    Task NotifyAsync(BundleNotification notification, CancellationToken cancellationToken);
}

/// <summary>No notification configured.</summary>
public sealed class NoBundleNotifier : IBundleNotifier
{
    public static readonly NoBundleNotifier Instance = new();

    public Task NotifyAsync(BundleNotification notification, CancellationToken cancellationToken) => Task.CompletedTask;
}
