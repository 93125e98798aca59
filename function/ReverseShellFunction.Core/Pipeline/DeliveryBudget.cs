using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Pipeline;

/// <summary>DELIVERY_BUDGET_SECONDS and what depends on it; its default is in the settings catalog (Hosting).</summary>
public sealed record DeliveryOptions
{
    /// <summary>
    /// A pushed delivery is answered this long after it was sent at the latest: below the subscription's ack
    /// deadline, which for push is the HTTP timeout (Eventarc's subscription: reported as 10 s, not settable).
    /// </summary>
    public required TimeSpan Budget { get; init; }
}

/// <summary>
/// The time one pushed delivery may take: from when Pub/Sub sent it to the answer. Collection stops early enough
/// (<see cref="CollectUntil"/>) to build and store part 1 by <see cref="AnswerBy"/>; what a collector had not
/// finished by then continues in the next part. Replayed files have no ack deadline and no budget.
/// </summary>
public sealed class DeliveryBudget
{
    private long _collectedAt;

    /// <param name="startedAt">When the delivery's ack deadline started counting, as far as it can be known.</param>
    private DeliveryBudget(DateTimeOffset startedAt, TimeSpan spentBefore, TimeSpan budget, TimeSpan reserve)
    {
        SpentBeforeReceipt = spentBefore;
        AnswerBy = startedAt + budget;
        CollectUntil = AnswerBy - reserve;
    }

    /// <summary>The part of the budget spent before the request reached the function (a cold start, a queue).</summary>
    public TimeSpan SpentBeforeReceipt { get; }

    /// <summary>The answer is due by then.</summary>
    public DateTimeOffset AnswerBy { get; }

    /// <summary>Collectors stop then; the rest of the budget is for summary, zip, seal, store and scheduling.</summary>
    public DateTimeOffset CollectUntil { get; }

    /// <summary>Since the collectors ended (<see cref="MarkCollected"/>): what building and storing took.</summary>
    public TimeSpan SinceCollected => _collectedAt == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(_collectedAt);

    internal void MarkCollected() => _collectedAt = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>
    /// The budget of <paramref name="delivery"/>, or null for a replayed file. It counts from the request's receipt,
    /// moved back by the time since the message's publish time (Pub/Sub's <c>publishTime</c>, else the CloudEvent
    /// <c>time</c>, which Eventarc sets to it) when that is shorter than the budget: the push cannot have been sent
    /// before the publish, so this never underestimates a cold start's wait. An older publish time says the message
    /// waited in Pub/Sub (a backlog, a retry), which does not count against the ack deadline of this attempt, and
    /// when that attempt was sent is unknown: then only the receipt counts.
    /// </summary>
    /// <param name="reserve">What building and storing part 1 is expected to take (<see cref="StoreReserve"/>).</param>
    public static DeliveryBudget? For(DeliveryInfo delivery, DeliveryOptions options, TimeSpan reserve)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(options);
        if (delivery.Mode is DeliveryMode.ReplayNotification or DeliveryMode.ReplayPushBody)
        {
            return null;
        }

        var spent = TimeSpan.Zero;
        if (Rfc3339.TryParse(delivery.PublishTime ?? delivery.CloudEventTime, out var published))
        {
            var age = delivery.ReceivedAt - published;
            spent = age > TimeSpan.Zero && age < options.Budget ? age : TimeSpan.Zero;
        }

        return new DeliveryBudget(delivery.ReceivedAt - spent, spent, options.Budget, reserve);
    }
}

/// <summary>
/// How long building and storing part 1 took lately (summary, zip, seal, bundle, index entry, scheduling): the
/// part of the budget kept back from the collectors. Three eighths of the budget at least (3 s of 8: a bundle, an
/// index entry and a schedule, each a round trip, before anything was measured) and a half at most, so that one slow
/// store shortens later collections but never leaves them nothing.
/// </summary>
public sealed class StoreReserve
{
    private const int Kept = 16;
    private readonly Lock _lock = new();
    private readonly Queue<TimeSpan> _recent = new();

    /// <summary>1.5 times the longest of the last <c>16</c> stores, within three eighths and a half of <paramref name="budget"/>.</summary>
    public TimeSpan For(TimeSpan budget)
    {
        TimeSpan longest;
        lock (_lock)
        {
            longest = _recent.Count == 0 ? TimeSpan.Zero : _recent.Max();
        }

        var wanted = longest * 1.5;
        var (least, most) = (budget * 3 / 8, budget / 2);
        return wanted < least ? least : wanted > most ? most : wanted;
    }

    public void Record(TimeSpan took)
    {
        lock (_lock)
        {
            _recent.Enqueue(took);
            while (_recent.Count > Kept)
            {
                _recent.Dequeue();
            }
        }
    }
}
