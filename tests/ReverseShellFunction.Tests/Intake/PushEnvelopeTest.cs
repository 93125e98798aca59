using System.Text;
using System.Text.Json;
using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Tests.Intake;

/// <summary>
/// The lean read of a push body (no document of the whole body) must give exactly what the general read gives,
/// and must leave every unusual shape to the general read.
/// </summary>
public sealed class PushEnvelopeTest
{
    private const string Data = "eyJmaW5kaW5nIjp7Im5hbWUiOiJmIn19"; // {"finding":{"name":"f"}}

    [Theory]
    [InlineData($$$"""{"message":{"data":"{{{Data}}}","messageId":"1","attributes":{"a":"b"}},"subscription":"s"}""")]
    [InlineData($$$"""{"subscription":"s","message":{"attributes":{"data":"x"},"publish_time":"t","data":"{{{Data}}}"},"deliveryAttempt":2}""")]
    [InlineData($$$""" {"m\u0065ssage":{"data":"{{{Data}}}"}} """)]
    public void OrdinaryPushBody_IsReadLean_AndTheSameAsTheGeneralRead(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var envelope = PushEnvelope.Scan(bytes);
        var lean = envelope is null ? null : MessagePublishedDataReader.TryReadLean(bytes, envelope);

        Assert.NotNull(lean);
        AssertSame(General(bytes), lean);
        AssertSame(General(bytes), MessagePublishedDataReader.Read(bytes));
    }

    [Theory]
    [InlineData($$$"""{"message":{"data":"{{{Data}}}"},"message":{"data":"{{{Data}}}"}}""")]
    [InlineData($$$"""{"message":{"data":"{{{Data}}}","data":"{{{Data}}}"}}""")]
    [InlineData("""{"message":{"data":"eyJm\u0061aW5kaW5nIjp7fX0="}}""")]
    [InlineData($$$"""{"message":{"data":"{{{Data}}}"}} trailing""")]
    [InlineData($$$"""[{"message":{"data":"{{{Data}}}"}}]""")]
    [InlineData("""{"message":{"data":null}}""")]
    [InlineData("""{"message":"text"}""")]
    [InlineData("""{"message":{"data":"not base64!"}}""")]
    public void UnusualBody_IsLeftToTheGeneralRead(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var envelope = PushEnvelope.Scan(bytes);

        Assert.True(envelope is null || MessagePublishedDataReader.TryReadLean(bytes, envelope) is null);
    }

    [Fact]
    public void EscapedData_StillDecodes_ThroughTheGeneralRead()
    {
        var bytes = """{"message":{"data":"eyJmaW5kaW5nIjp7Im5hbWUiOiJmIn1\u0039"}}"""u8.ToArray();

        var data = MessagePublishedDataReader.Read(bytes);

        Assert.Equal("""{"finding":{"name":"f"}}""", Encoding.UTF8.GetString(data.Message.Data!.Value.Span));
    }

    [Fact]
    public void UnwrappedNotification_IsRecognised_WithoutReadingItAsAnEnvelope()
    {
        var envelope = PushEnvelope.Scan("""{"finding":{"name":"f"},"resource":{}}"""u8);

        Assert.NotNull(envelope);
        Assert.True(envelope.Unwrapped);
    }

    private static MessagePublishedData General(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return MessagePublishedDataReader.Read(document.RootElement);
    }

    private static void AssertSame(MessagePublishedData expected, MessagePublishedData actual)
    {
        Assert.Equal(expected.Message.Data!.Value.ToArray(), actual.Message.Data!.Value.ToArray());
        Assert.Equal(expected.Message.MessageId, actual.Message.MessageId);
        Assert.Equal(expected.Message.PublishTime, actual.Message.PublishTime);
        Assert.Equal(expected.Message.Attributes, actual.Message.Attributes);
        Assert.Equal(expected.Subscription, actual.Subscription);
        Assert.Equal(expected.DeliveryAttempt, actual.DeliveryAttempt);
    }
}
