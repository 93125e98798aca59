using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Benchmarks;

/// <summary>
/// Distinct Pub/Sub push deliveries made from <c>samples/reverse-shell.notification.json</c>: each gets its own
/// finding id (so its own bundle), the same service and, unless shifted, the same event time, so the fakes'
/// fixtures (findings and logs around that time) apply to every one.
/// </summary>
internal sealed class EventFactory
{
    private readonly string _notification;
    private readonly string _tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public EventFactory(string samplePath) => _notification = File.ReadAllText(samplePath);

    public int Created { get; private set; }

    /// <summary>A new event; <paramref name="shift"/> moves its event time (e.g. away from every fixture).</summary>
    /// <param name="descriptionBytes">When set, the finding's description is this many bytes of text (a large notification).</param>
    public HttpRequestMessage Next(Uri function, TimeSpan shift = default, int descriptionBytes = 0)
    {
        var body = PushBody(Created++, shift, descriptionBytes);
        return new HttpRequestMessage(HttpMethod.Post, function) { Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } } };
    }

    /// <summary>The same delivery as a file, for <c>replay</c>.</summary>
    public string WriteFile(string directory, TimeSpan shift = default)
    {
        var path = Path.Combine(directory, $"event-{_tag}-{Created.ToString(CultureInfo.InvariantCulture)}.json");
        File.WriteAllBytes(path, PushBody(Created++, shift, 0));
        return path;
    }

    private byte[] PushBody(int index, TimeSpan shift, int descriptionBytes)
    {
        var notification = JsonNode.Parse(_notification)!.AsObject();
        var finding = notification["finding"]!.AsObject();
        var id = $"bench{_tag}{index.ToString("D7", CultureInfo.InvariantCulture)}";
        foreach (var field in new[] { "name", "canonicalName" })
        {
            var name = finding[field]!.GetValue<string>();
            finding[field] = name[..(name.LastIndexOf('/') + 1)] + id;
        }

        if (shift != default)
        {
            var time = DateTimeOffset.Parse(finding["eventTime"]!.GetValue<string>(), CultureInfo.InvariantCulture) + shift;
            finding["eventTime"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        if (descriptionBytes > 0)
        {
            finding["description"] = new string('d', descriptionBytes);
        }

        var push = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(notification.ToJsonString())),
                ["messageId"] = $"{_tag}-{index.ToString(CultureInfo.InvariantCulture)}",
                ["publishTime"] = "2026-11-28T21:14:40.221Z",
                ["attributes"] = new JsonObject(),
            },
            ["subscription"] = "projects/sec-tools-2231/subscriptions/benchmark",
        };
        return Encoding.UTF8.GetBytes(push.ToJsonString());
    }
}
