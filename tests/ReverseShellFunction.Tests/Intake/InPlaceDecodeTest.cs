using System.Runtime.InteropServices;
using System.Text;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Intake;

/// <summary>
/// A body the delivery owns has its message.data decoded into its own bytes: the notification is then the only
/// copy of itself, and a body that is quarantined after all is put back byte for byte first. Text that encoding
/// the decoded bytes would not give back exactly is decoded into a copy and the body is never touched.
/// </summary>
public sealed class InPlaceDecodeTest
{
    private static readonly DateTimeOffset s_now = RawDeliveries.ReceivedAt;

    [Fact]
    public void OwnedBody_NotificationLiesInTheBodysOwnArray()
    {
        var body = Push(TestData.Sample("reverse-shell.notification.json"));
        var raw = RawDeliveries.Push(body) with { BodyIsOwned = true };

        var result = DeliveryReader.Read(raw, s_now);

        var notification = Assert.IsType<DecodedDelivery>(result.Decoded).Notification;
        Assert.True(MemoryMarshal.TryGetArray(notification.RawJson, out var segment));
        Assert.Same(body, segment.Array);
        Assert.Equal(TestData.Sample("reverse-shell.notification.json"), notification.RawJson.ToArray());
    }

    [Fact]
    public void BodyNotOwned_IsNeverWritten()
    {
        var body = Push(TestData.Sample("reverse-shell.notification.json"));
        var before = body.ToArray();

        var result = DeliveryReader.Read(RawDeliveries.Push(body), s_now);

        Assert.NotNull(result.Decoded);
        Assert.Equal(before, body);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"finding":{"name":"organizations/1/sources/2/findings/3"}}""")]
    [InlineData("""{"finding":{"category":"Reverse Shell","eventTime":"1999-01-01T00:00:00Z","name":"f"}}""")]
    [InlineData("x")]
    [InlineData("xy")]
    public void OwnedBody_QuarantinedAfterDecoding_IsAsReceived(string notification)
    {
        var body = Push(Encoding.UTF8.GetBytes(notification));
        var before = body.ToArray();
        var raw = RawDeliveries.Push(body) with { BodyIsOwned = true };

        var result = DeliveryReader.Read(raw, s_now);

        Assert.Null(result.Decoded);
        Assert.NotNull(result.Problem);
        Assert.Equal(before, raw.Body.ToArray());
    }

    [Fact]
    public void NonCanonicalBase64_IsDecodedIntoACopy_AndTheBodyIsUntouched()
    {
        // "QR==" decodes to "A" as "QQ==" does; encoding "A" again gives "QQ==", so in place it could not be put back.
        var body = Encoding.UTF8.GetBytes("""{"message":{"data":"QR==","messageId":"1"},"subscription":"s"}""");
        var before = body.ToArray();
        var raw = RawDeliveries.Push(body) with { BodyIsOwned = true };

        Assert.Null(raw.TryDecodeInPlace(20, 4));
        var result = DeliveryReader.Read(raw, s_now);

        Assert.Null(result.Decoded);
        Assert.Equal(before, body);
    }

    [Theory]
    [InlineData("QQ==", "A")]
    [InlineData("QUI=", "AB")]
    [InlineData("QUJD", "ABC")]
    [InlineData("", "")]
    public void DecodeInPlace_ThenRestore_GivesTheTextBack(string text, string decoded)
    {
        var body = Encoding.UTF8.GetBytes($"[{text}]");
        var before = body.ToArray();
        var raw = RawDeliveries.Push(body) with { BodyIsOwned = true };

        var data = raw.TryDecodeInPlace(1, text.Length);

        Assert.NotNull(data);
        Assert.Equal(decoded, Encoding.UTF8.GetString(data.Value.Span));
        raw.RestoreBody();
        Assert.Equal(before, body);
    }

    [Theory]
    [InlineData("QQ=")]
    [InlineData("Q Q=")]
    [InlineData("QQ\n=")]
    [InlineData("Q-_=")]
    [InlineData("=QQ=")]
    public void NotPlainPaddedBase64_IsNotDecodedInPlace(string text)
    {
        var body = Encoding.UTF8.GetBytes($"[{text}]");
        var before = body.ToArray();
        var raw = RawDeliveries.Push(body) with { BodyIsOwned = true };

        Assert.Null(raw.TryDecodeInPlace(1, text.Length));
        Assert.Equal(before, body);
    }

    private static byte[] Push(byte[] notification) =>
        Encoding.UTF8.GetBytes($$"""{"message":{"data":"{{Convert.ToBase64String(notification)}}","messageId":"1","publishTime":"2026-11-28T21:14:40.221Z"},"subscription":"projects/p/subscriptions/s"}""");
}
