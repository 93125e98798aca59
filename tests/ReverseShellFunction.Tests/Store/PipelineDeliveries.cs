using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// The intake pipeline over a given store, with no collectors (these tests are about the store), and Pub/Sub push
/// deliveries made from the sample: as is, or with the finding's name and event time changed to make new findings.
/// </summary>
internal static class PipelineDeliveries
{
    private const string Sample = "reverse-shell.pubsub-push.json";

    public static IntakeProcessor Processor(IEvidenceStore store)
    {
        var settings = FunctionSettings.From(_ => null);
        return Pipelines.Build(store, rules: settings.Rules, collection: settings.Collection, toolVersion: "0.0.0").Processor;
    }

    public static RawDelivery Push(byte[] body) =>
        RawDelivery.FromBytes(new Dictionary<string, string> { ["content-type"] = "application/json" }, body, DateTimeOffset.UtcNow, DeliverySource.Http);

    public static RawDelivery SampleDelivery() => Push(TestData.Sample(Sample));

    /// <summary>The sample with finding number <paramref name="number"/>: its own name and a later event time.</summary>
    public static RawDelivery DistinctFinding(int number)
    {
        var push = JsonNode.Parse(TestData.Sample(Sample))!;
        var message = push["message"]!;
        var notification = JsonNode.Parse(Convert.FromBase64String(message["data"]!.GetValue<string>()))!;
        var finding = notification["finding"]!;
        var name = finding["name"]!.GetValue<string>();
        finding["name"] = $"{name[..name.LastIndexOf('/')]}/finding{number:D4}";
        var eventTime = DateTimeOffset.Parse(finding["eventTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        finding["eventTime"] = eventTime.AddSeconds(number).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        message["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(notification.ToJsonString()));
        message["messageId"] = $"1305978441234{number:D4}";
        return Push(Encoding.UTF8.GetBytes(push.ToJsonString()));
    }
}
