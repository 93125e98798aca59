using CloudNative.CloudEvents;

namespace ReverseShellFunction.Delivery;

/// <summary>
/// Shaped like <c>Google.Cloud.Functions.Framework.ICloudEventFunction&lt;TData&gt;</c> (which this NuGet source
/// does not serve), returning the outcome so the HTTP edge and the CLI can report it. The handler never sees HTTP.
/// </summary>
public interface ICloudEventFunction<TData, TResult>
    where TData : class
{
    Task<TResult> HandleAsync(CloudEvent cloudEvent, TData data, CancellationToken cancellationToken);
}
