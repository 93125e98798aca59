namespace ReverseShellFunction.Collection;

/// <summary>
/// Gathers one kind of evidence from a live API. Implementations report failures in the returned
/// <see cref="CollectorReport"/> rather than throwing, and keep what they got before a cancellation.
/// </summary>
public interface ICollector
{
    /// <summary>The collector's slot name in the manifest, e.g. <c>related-findings</c>.</summary>
    string Name { get; }

    Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken);
}
