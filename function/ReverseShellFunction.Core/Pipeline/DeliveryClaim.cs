using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>What <see cref="DeliveryClaim.AcquireAsync"/> found.</summary>
public enum ClaimOutcome
{
    /// <summary>This delivery (or completion) holds the lease: it collects the part.</summary>
    Owned,

    /// <summary>The part is stored: nothing to collect.</summary>
    Stored,

    /// <summary>Another delivery or completion holds an unexpired lease and has not stored the part yet: do not acknowledge.</summary>
    HeldElsewhere,
}

/// <summary>The lease object's content (<see cref="BundleLayout.ClaimObject"/>).</summary>
public sealed record ClaimRecord
{
    public required string BundleId { get; init; }

    /// <summary>The part a completion collects; absent for part 1.</summary>
    public int? Part { get; init; }

    public required int Generation { get; init; }
    public required DateTimeOffset ClaimedAt { get; init; }

    /// <summary>After this, another delivery may take over by creating the next generation.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public string? MessageId { get; init; }

    /// <summary>The process that took the lease (random, per <see cref="DeliveryClaim"/>): it may take it again once released.</summary>
    public string? Owner { get; init; }
}

/// <summary>
/// A lease on collecting part 1 of a bundle, so that a duplicate or a redelivery of an event whose first delivery
/// is still running, on this instance or another, does not collect it a second time; and so that the event is not
/// lost when that first delivery dies. Only create-only writes: generation 1 is created by the first delivery; a
/// delivery that finds an unexpired lease waits for part 1 to appear, and answers "not yet" (not acknowledged, so
/// Pub/Sub delivers it again) when its own budget ends first; one that finds the lease expired without part 1
/// stored creates the next generation, which only one delivery can, and collects. Nothing is ever deleted, so
/// this holds under a locked retention policy. Completions take the same lease on the part they collect (Cloud
/// Tasks delivers at least once, and a sibling batch may run a part while its own task fires); they never wait.
/// How long a lease is taken for comes from the collectors' deadline and the delivery budget.
/// </summary>
public sealed class DeliveryClaim(IEvidenceStore store, Collection.CollectionOptions collection, DeliveryOptions delivery, TimeProvider time, ILogger logger)
{
    /// <summary>Beyond this many expired leases something is wrong with the store: fail the delivery (503).</summary>
    public const int MaxGenerations = 32;

    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    // Leases are never deleted, so one that ends without its part stays until it expires for everyone else; the
    // process that took it may take it again at once (its own retry, the embedded runner's next pass) once the
    // attempt holding it has released it here. A lease an attempt of this process still holds is never reused.
    private readonly string _owner = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);

    /// <summary>A lease that claims to last longer than this is not believed (a clock far ahead).</summary>
    public TimeSpan Longest => (collection.Deadline > delivery.Budget ? collection.Deadline : delivery.Budget) * 2;

    /// <summary>What a lease lasts beyond the moment its holder is due to answer.</summary>
    public TimeSpan Margin => delivery.Budget / 2;

    /// <summary>The end of a lease taken at <paramref name="now"/> by a collection with no answer time of its own (a completion, a replayed file).</summary>
    public DateTimeOffset Until(DateTimeOffset now) => now + collection.Deadline + Margin;

    /// <param name="leaseUntil">When this delivery's lease ends if it wins: its answer time and a margin.</param>
    /// <param name="waitUntil">How long to wait for another delivery's part 1 before answering "not yet".</param>
    public async Task<(ClaimOutcome Outcome, int Generation)> AcquireAsync(
        BundleId id, DeliveryInfo? delivery, DateTimeOffset leaseUntil, DateTimeOffset waitUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        // Polls are counted as well as timed: a clock that does not move (a test's) still ends the wait.
        var polls = (int)Math.Ceiling(Math.Max(0, (waitUntil - time.GetUtcNow()).TotalSeconds) / s_poll.TotalSeconds) + 1;
        for (var generation = 1; generation <= MaxGenerations; generation++)
        {
            var now = time.GetUtcNow();
            var record = new ClaimRecord { BundleId = id.Value, Part = id.Part > 1 ? id.Part : null, Generation = generation, ClaimedAt = now, ExpiresAt = leaseUntil, MessageId = delivery?.MessageId, Owner = _owner };
            var key = BundleLayout.ClaimObject(id, generation);
            if (await store.CreateClaimAsync(id, generation, EvidenceJson.Serialize(record), cancellationToken) == CreateResult.Created)
            {
                _active.TryAdd(key, 0);
                return (ClaimOutcome.Owned, generation);
            }

            var existing = Read(await store.ReadClaimAsync(id, generation, cancellationToken));
            if (existing?.Owner == _owner && _active.TryAdd(key, 0))
            {
                // This process's own lease, released by the attempt that ended without the part: take it again.
                if (await store.GetBundleAsync(id, cancellationToken) is not null)
                {
                    _active.TryRemove(key, out _);
                    return (ClaimOutcome.Stored, generation);
                }

                return (ClaimOutcome.Owned, generation);
            }

            var expiresAt = ExpiresAt(id, generation, existing, now);
            while (true)
            {
                if (await store.GetBundleAsync(id, cancellationToken) is not null)
                {
                    return (ClaimOutcome.Stored, generation);
                }

                now = time.GetUtcNow();
                if (now >= expiresAt)
                {
                    logger.LogWarning("The lease of generation {Generation} on bundle {BundleId} part {Part} expired at {ExpiresAt} without the part stored: taking over", generation, id.Value, id.Part, expiresAt);
                    break;
                }

                if (now >= waitUntil || polls-- <= 0)
                {
                    return (ClaimOutcome.HeldElsewhere, generation);
                }

                var wait = Min(s_poll, expiresAt - now, waitUntil - now);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, cancellationToken);
            }
        }

        throw new EvidenceStoreException($"Bundle {id.Value} has {MaxGenerations} expired leases and no part {id.Part}: the store does not keep what is written.");
    }

    /// <summary>
    /// Lets this process take the lease again (<see cref="AcquireAsync"/>) once the attempt that held it ended
    /// without storing the part; for everyone else it lasts until it expires.
    /// </summary>
    public void Release(BundleId id, int generation)
    {
        ArgumentNullException.ThrowIfNull(id);
        _active.TryRemove(BundleLayout.ClaimObject(id, generation), out _);
    }

    private static ClaimRecord? Read(byte[]? bytes)
    {
        try
        {
            return bytes is null ? null : EvidenceJson.Deserialize<ClaimRecord>(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>When the lease ends; a lease that does not read, or claims more than <see cref="Longest"/>, ends now.</summary>
    private DateTimeOffset ExpiresAt(BundleId id, int generation, ClaimRecord? record, DateTimeOffset now)
    {
        if (record is null || record.ExpiresAt > now + Longest)
        {
            // Never wait for ever on a lease nobody can read: take over; the bundle itself stays create-only.
            logger.LogWarning("The lease of generation {Generation} on bundle {BundleId} does not read as a lease; treating it as expired", generation, id.Value);
            return now;
        }

        return record.ExpiresAt;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) => a < b ? (a < c ? a : c) : (b < c ? b : c);
}
