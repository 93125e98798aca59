using System.Runtime.CompilerServices;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// The one walk over a bundle's parts: part 1 up, each read in turn, stopping at the first part the read finds
/// nothing for (one read past the newest part) or at <see cref="BundleId.MaxPart"/>. Every part counts, not only up to
/// the first complete one: a differing notification for the same event adds a part even after a complete part.
/// </summary>
public static class PartWalk
{
    /// <param name="read">What a part is to the caller (its index entry, its verdict, …); null when the part is not there.</param>
    public static async IAsyncEnumerable<(BundleId Id, T Value)> ReadAsync<T>(
        BundleId bundle, Func<BundleId, CancellationToken, Task<T?>> read, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(read);
        for (var part = 1; part <= BundleId.MaxPart; part++)
        {
            var id = bundle.Bundle.WithPart(part);
            if (await read(id, cancellationToken) is not { } value)
            {
                yield break;
            }

            yield return (id, value);
        }
    }
}
