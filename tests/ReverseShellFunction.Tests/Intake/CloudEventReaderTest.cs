using System.Text;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Intake;

public class CloudEventReaderTest
{
    private static readonly byte[] s_pushBody = TestData.Sample("reverse-shell.pubsub-push.json");

    [Fact]
    public void BinaryMode_ReadsCeHeadersAndData()
    {
        var (cloudEvent, _, delivery) = CloudEventReader.Read(RawDeliveries.Binary(s_pushBody));

        Assert.Equal("13059784412345678", cloudEvent.Id);
        Assert.Equal(DeliveryMode.EventarcBinary, delivery.Mode);
        Assert.Equal("13059784412345678", delivery.CloudEventId);
        Assert.Equal("//pubsub.googleapis.com/projects/sec-tools-2231/topics/scc-reverse-shell", delivery.CloudEventSource);
        Assert.Equal("13059784412345678", delivery.MessageId);
        Assert.StartsWith("projects/sec-tools-2231/subscriptions/eventarc-", delivery.Subscription, StringComparison.Ordinal);

    }

    [Fact]
    public void StructuredMode_ReadsEnvelope()
    {
        var (cloudEvent, _, delivery) = CloudEventReader.Read(RawDeliveries.Structured(s_pushBody));

        Assert.Equal("google.cloud.pubsub.topic.v1.messagePublished", cloudEvent.Type);
        Assert.Equal(DeliveryMode.EventarcStructured, delivery.Mode);
        Assert.Equal("2026-11-28T21:14:40.221Z", delivery.PublishTime);
    }

    [Fact]
    public void PlainPush_WithSnakeCaseDuplicatesAndUnknownMembers_IsAccepted()
    {
        var body = Notifications.PushBody(TestData.Sample("reverse-shell.notification.json"), messageId: "77", deliveryAttempt: 3);

        var (_, data, delivery) = CloudEventReader.Read(RawDeliveries.Push(body));

        Assert.Equal(DeliveryMode.PubSubPush, delivery.Mode);
        Assert.Equal("77", delivery.MessageId);
        Assert.Equal(3, delivery.DeliveryAttempt);
        Assert.Null(delivery.CloudEventId);
    }

    [Fact]
    public void SnakeCaseOnly_IsAccepted()
    {
        var body = Encoding.UTF8.GetBytes("{\"message\":{\"data\":\"e30=\",\"message_id\":\"9\",\"publish_time\":\"2026-01-01T00:00:00Z\"}}");

        var (_, data, delivery) = CloudEventReader.Read(RawDeliveries.Push(body));

        Assert.Equal("9", delivery.MessageId);
        Assert.Equal("2026-01-01T00:00:00Z", delivery.PublishTime);
    }

    [Fact]
    public void UnwrappedPush_TheNotificationItself_IsAccepted()
    {
        var raw = RawDeliveries.Push(TestData.Sample("reverse-shell.notification.json"));

        var (_, data, delivery) = CloudEventReader.Read(raw);

        Assert.Equal(DeliveryMode.PubSubPushUnwrapped, delivery.Mode);
        Assert.Equal(TestData.Sample("reverse-shell.notification.json"), data.Message.Data!.Value.ToArray());
    }

    public static TheoryData<string, Func<RawDelivery>, DeliveryProblem> BadRequests => new()
    {
        { "body is not JSON", () => RawDeliveries.Push(Encoding.UTF8.GetBytes("<xml/>")), DeliveryProblem.NotJson },
        { "JSON without message", () => RawDeliveries.Push(Encoding.UTF8.GetBytes("{\"subscription\":\"s\"}")), DeliveryProblem.NoMessage },
        { "binary mode, wrong type", () => RawDeliveries.Binary(s_pushBody, "google.cloud.storage.object.v1.finalized"), DeliveryProblem.WrongEventType },
        { "structured mode, wrong type", () => RawDeliveries.Structured(s_pushBody, "com.example.other"), DeliveryProblem.WrongEventType },
        { "structured mode, broken envelope", () => RawDeliveries.Push(Encoding.UTF8.GetBytes("{\"specversion\":\"1.0\"")) with { Headers = new Dictionary<string, string> { ["content-type"] = "application/cloudevents+json" } }, DeliveryProblem.NotACloudEvent },
        { "binary mode, unknown spec version", () => RawDeliveries.Binary(s_pushBody) with { Headers = new Dictionary<string, string> { ["ce-specversion"] = "0.1", ["ce-id"] = "1" } }, DeliveryProblem.NotACloudEvent },
        { "binary mode, missing source", () => RawDeliveries.Binary(s_pushBody) with { Headers = new Dictionary<string, string> { ["ce-specversion"] = "1.0", ["ce-id"] = "1", ["ce-type"] = "google.cloud.pubsub.topic.v1.messagePublished" } }, DeliveryProblem.NotACloudEvent },
        { "body larger than read limit", () => RawDeliveries.Push(new byte[10]) with { BodyLength = 50_000_000 }, DeliveryProblem.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void BadRequest_IsRejectedWithItsProblem(string description, Func<RawDelivery> raw, DeliveryProblem expected)
    {
        var ex = Assert.Throws<InvalidDeliveryException>(() => CloudEventReader.Read(raw()));

        Assert.True(expected == ex.Problem, $"{description}: expected {expected}, got {ex.Problem} ({ex.Message})");
    }
}
