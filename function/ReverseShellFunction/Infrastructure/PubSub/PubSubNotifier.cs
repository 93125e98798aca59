using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Pipeline;

namespace ReverseShellFunction.Infrastructure.PubSub;

/// <summary>
/// Publishes one <see cref="BundleNotification"/> to a Pub/Sub topic over REST (<c>POST v1/{topic}:publish</c>),
/// through the same client as the collectors: the function's token, retries on 429/5xx, a timeout per attempt.
/// The message's attributes repeat bundle id, part, completeness and severity so subscriptions can filter on them,
/// and carry <see cref="DeduplicationKeyAttribute"/>.
/// <para>
/// Publishing is not idempotent: when an answer is lost after Pub/Sub accepted the message, the retry publishes a
/// second message with another message id. It is retried all the same, because a notification that never arrives is
/// worse than one that arrives twice (and Pub/Sub delivers at least once anyway); every message of the same part
/// carries the same <c>dedupKey</c>, <c>BUNDLE_ID/PART</c>, so a subscriber keeps the first and drops the rest.
/// </para>
/// </summary>
internal sealed class PubSubNotifier(GoogleApiClient client, string endpoint, string topic, ILogger<PubSubNotifier> logger) : IBundleNotifier
{
    // Well under a push subscription's ack deadline: the evidence is stored already, the answer must not wait long.
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(15);

    /// <summary>The attribute a subscriber de-duplicates on: <c>BUNDLE_ID/PART</c>, the same on every publish of a part.</summary>
    public const string DeduplicationKeyAttribute = "dedupKey";

    private readonly Uri _publish = ApiUri.Build(endpoint, ["v1", .. (topic + ":publish").Split('/')]);

    public string Topic { get; } = topic;

    public async Task NotifyAsync(BundleNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var data = EvidenceJson.Serialize(notification);
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject
            {
                ["data"] = Convert.ToBase64String(data),
                ["attributes"] = new JsonObject
                {
                    ["bundleId"] = notification.BundleId,
                    ["part"] = notification.Part.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [DeduplicationKeyAttribute] = DeduplicationKey(notification),
                    ["completeness"] = notification.Completeness,
                    ["authenticity"] = notification.Authenticity,
                    ["severity"] = notification.Severity ?? "",
                },
            }),
        };
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(s_budget);
        using var answer = await client.PostJsonAsync(_publish, JsonSerializer.SerializeToUtf8Bytes(body), budget.Token);
        var messageId = answer.RootElement.TryGetProperty("messageIds", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() > 0
            ? ids[0].GetString()
            : null;
        logger.LogInformation("Published the notification of bundle {BundleId} to {Topic} as message {MessageId}", notification.BundleId, Topic, messageId);
    }

    /// <summary><c>BUNDLE_ID/PART</c>: one stored part, however many times its notification was published.</summary>
    public static string DeduplicationKey(BundleNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return $"{notification.BundleId}/{notification.Part.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
