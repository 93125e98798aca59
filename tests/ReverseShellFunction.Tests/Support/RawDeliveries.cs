using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Tests.Support;

/// <summary>Raw requests in each delivery form the function accepts.</summary>
internal static class RawDeliveries
{
    public static readonly DateTimeOffset ReceivedAt = new(2026, 11, 28, 21, 14, 41, TimeSpan.Zero);

    public static RawDelivery Push(byte[] body) => Make(body, new() { ["Content-Type"] = "application/json" });

    public static RawDelivery Binary(byte[] pushBody, string type = "google.cloud.pubsub.topic.v1.messagePublished") => Make(pushBody, new()
    {
        ["Content-Type"] = "application/json",
        ["ce-id"] = "13059784412345678",
        ["ce-source"] = "//pubsub.googleapis.com/projects/sec-tools-2231/topics/scc-reverse-shell",
        ["ce-specversion"] = "1.0",
        ["ce-type"] = type,
        ["ce-time"] = "2026-11-28T21:14:40.221Z",
        ["Authorization"] = "Bearer secret-oidc-token",
    });

    public static RawDelivery Structured(byte[] pushBody, string type = "google.cloud.pubsub.topic.v1.messagePublished")
    {
        var envelope = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "13059784412345678",
            ["source"] = "//pubsub.googleapis.com/projects/sec-tools-2231/topics/scc-reverse-shell",
            ["type"] = type,
            ["time"] = "2026-11-28T21:14:40.221Z",
            ["datacontenttype"] = "application/json",
            ["data"] = JsonNode.Parse(pushBody),
        };
        return Make(Encoding.UTF8.GetBytes(envelope.ToJsonString()), new() { ["Content-Type"] = "application/cloudevents+json; charset=utf-8" });
    }

    private static RawDelivery Make(byte[] body, Dictionary<string, string> headers) =>
        RawDelivery.FromBytes(headers, body, ReceivedAt, DeliverySource.Http);
}
