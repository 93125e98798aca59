using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Intake;

public class NotificationDecoderTest
{
    [Fact]
    public void V2Sample_DecodesFindingResourceAndKeepsBytesVerbatim()
    {
        var bytes = TestData.Sample("reverse-shell.notification.json");

        var notification = NotificationDecoder.Decode(new PubSubMessage { Data = bytes }, PipelineHarness.Now);

        Assert.Equal(bytes, notification.RawJson.ToArray());
        Assert.Equal("Reverse Shell", notification.Finding.Category);
        Assert.Equal(2817, notification.Finding.Processes![0].Pid);
        Assert.Equal("shop-prod-4471", notification.Resource!.ProjectDisplayNameAnyVersion);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero), notification.EventTime);
    }

    [Fact]
    public void V1Shape_FlatResourceAndNumericInt64s_Decode()
    {
        var json = Notifications.SampleNotification();
        json["notificationConfigName"] = "organizations/1/notificationConfigs/x";
        json.Finding()["name"] = "organizations/1/sources/2/findings/abc";
        json.Finding()["processes"]![0]!["pid"] = 2817;
        json["resource"] = new JsonObject { ["name"] = "//run.googleapis.com/projects/p/locations/l/services/s", ["projectDisplayName"] = "flat-project" };

        var notification = NotificationDecoder.Parse(json.Bytes(), PipelineHarness.Now);

        Assert.Equal("flat-project", notification.Resource!.ProjectDisplayNameAnyVersion);
        Assert.Equal(2817, notification.Finding.Processes![0].Pid);
    }

    [Fact]
    public void SourcePropertyKeys_AreBoundedLikeValues_AndOrdinaryKeysKeptAsSent()
    {
        var json = Notifications.SampleNotification();
        var hostileKey = new string('k', FindingView.MaxStringLength * 5);
        json.Finding()["sourceProperties"]![hostileKey] = "x";

        var notification = NotificationDecoder.Parse(json.Bytes(), PipelineHarness.Now);

        var keys = notification.Finding.SourceProperties!.Keys;
        Assert.Contains("Reverse_Shell_Stdin_Redirection_Dst_Ip", keys);
        var cut = Assert.Single(keys, k => k.StartsWith("kkk", StringComparison.Ordinal));
        Assert.StartsWith(new string('k', FindingView.MaxStringLength) + "…[cut at", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingEventTime_FallsBackToCreateTime()
    {
        var json = Notifications.SampleNotification();
        json.Finding().Remove("eventTime");

        var notification = NotificationDecoder.Parse(json.Bytes(), PipelineHarness.Now);

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 21, 14, 9, 117, TimeSpan.Zero), notification.EventTime);
    }

    public static TheoryData<string, string?, DeliveryProblem> BadData => new()
    {
        { "not base64", "%%%not-base64%%%", DeliveryProblem.NotBase64 },
        { "base64 of text that is not JSON", Convert.ToBase64String(Encoding.UTF8.GetBytes("hello")), DeliveryProblem.NotificationNotJson },
        { "JSON with no finding", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"notificationConfigName\":\"x\"}")), DeliveryProblem.NoFinding },
        { "finding without name", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"finding\":{\"category\":\"Reverse Shell\",\"eventTime\":\"2026-01-01T00:00:00Z\"}}")), DeliveryProblem.NoFindingName },
        { "finding without any time", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"finding\":{\"name\":\"a/b\",\"eventTime\":\"yesterday\"}}")), DeliveryProblem.NoEventTime },
        { "finding of the wrong type", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"finding\":[1,2]}")), DeliveryProblem.NotificationNotJson },
        { "no data", null, DeliveryProblem.NoFinding },
    };

    [Theory]
    [MemberData(nameof(BadData))]
    public void BadData_IsRejectedWithItsProblem(string description, string? data, DeliveryProblem expected)
    {
        var message = new JsonObject { ["messageId"] = "1" };
        if (data is not null)
        {
            message["data"] = data;
        }

        var result = DeliveryReader.Read(RawDeliveries.Push(Encoding.UTF8.GetBytes(new JsonObject { ["message"] = message }.ToJsonString())), PipelineHarness.Now);

        Assert.True(expected == result.Problem, $"{description}: expected {expected}, got {result.Problem} ({result.Message})");
    }

    [Fact]
    public void DataLargerThanPubSubLimit_IsTooLarge()
    {
        var data = new byte[NotificationDecoder.MaxMessageBytes + 1];

        var ex = Assert.Throws<InvalidDeliveryException>(() => NotificationDecoder.Decode(new PubSubMessage { Data = data }, PipelineHarness.Now));

        Assert.Equal(DeliveryProblem.TooLarge, ex.Problem);
    }
}
