using System.Text;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Tests.Support;

/// <summary>Builds test notifications and push bodies from the shipped sample, with edits.</summary>
internal static class Notifications
{
    public static JsonObject SampleNotification() =>
        JsonNode.Parse(TestData.Sample("reverse-shell.notification.json"))!.AsObject();

    public static JsonObject Finding(this JsonObject notification) => notification["finding"]!.AsObject();

    /// <summary>A distinct finding event: same shape as the sample, another name and event time.</summary>
    public static JsonObject Variant(int n, DateTimeOffset? eventTime = null)
    {
        var notification = SampleNotification();
        var finding = notification.Finding();
        finding["name"] = $"organizations/418230051457/sources/9347120561842215403/locations/global/findings/variant{n:D6}";
        finding["eventTime"] = (eventTime ?? new DateTimeOffset(2026, 11, 28, 21, 14, 7, TimeSpan.Zero).AddMinutes(n)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        return notification;
    }

    public static byte[] Bytes(this JsonObject json) => Encoding.UTF8.GetBytes(json.ToJsonString());

    /// <summary>Wraps notification bytes as Pub/Sub pushes them, with the emulator's snake_case duplicates.</summary>
    public static byte[] PushBody(byte[] data, string messageId = "1001", int? deliveryAttempt = null)
    {
        var body = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["data"] = Convert.ToBase64String(data),
                ["messageId"] = messageId,
                ["message_id"] = messageId,
                ["publishTime"] = "2026-11-28T21:14:40.221Z",
                ["publish_time"] = "2026-11-28T21:14:40.221Z",
                ["attributes"] = new JsonObject(),
                ["@type"] = "type.googleapis.com/google.pubsub.v1.PubsubMessage",
                ["somethingNew"] = new JsonObject { ["x"] = 1 },
            },
            ["subscription"] = "projects/sec-tools-2231/subscriptions/reverse-shell-push",
        };
        if (deliveryAttempt is not null)
        {
            body["deliveryAttempt"] = deliveryAttempt;
        }

        return body.Bytes();
    }
}
