using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Robustness;

/// <summary>One mutated delivery: the body and the headers it is sent with.</summary>
internal sealed record MutatedDelivery(byte[] Body, IReadOnlyDictionary<string, string> Headers, string Mutation);

/// <summary>
/// A seeded mutation generator over real delivery shapes: the samples as Pub/Sub pushes (wrapped and unwrapped),
/// Eventarc binary and structured CloudEvents. Mutations act on three levels: raw bytes (flips, cuts, invalid
/// UTF-8), the JSON envelope (members replaced by nulls, wrong types, lone surrogates, huge values), and the
/// notification inside the base64 data (the same, deep in the finding: nulls in every list, odd times).
/// </summary>
internal sealed class DeliveryMutator
{
    private static readonly string[] s_hostileJson =
    [
        "null", "[null]", "[null,null]", "0", "-1", "1e308", "true", "\"\"", "{}", "[]", "\"\\ud800\"", "\"x\\udc00y\"",
        "\"12:00\"", "\"2026-11-28\"", "\"9999-12-31T23:59:59Z\"", "\"1970-01-01T00:00:00Z\"", "\"\\u001b]0;x\\u0007\\u202e\"",
        "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "{\"a\":{\"b\":{\"c\":null}}}", "\"" + new string('A', 70_000) + "\"",
    ];

    private readonly Random _random;
    private readonly List<(byte[] Notification, string Name)> _notifications;

    public DeliveryMutator(int seed)
    {
        _random = new Random(seed);
        _notifications =
        [
            (TestData.Sample("reverse-shell.notification.json"), "reverse-shell"),
            (TestData.Sample("other-category.notification.json"), "other-category"),
        ];
    }

    public MutatedDelivery Next()
    {
        var (notification, name) = _notifications[_random.Next(_notifications.Count)];
        if (_random.Next(2) == 0)
        {
            // A finding of its own half the time, so the write path (bundle, then index entry) runs often.
            var id = Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64()));
            notification = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(notification)
                .Replace("findings/5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b\"", $"findings/{id}5f1c8e0a2b7d4e6f\"", StringComparison.Ordinal));
        }
        var inner = "data intact";
        var data = _random.Next(3) == 0 ? MutateJson(notification, out inner) : notification;
        var form = _random.Next(4);
        byte[] body;
        Dictionary<string, string> headers;
        string formName;
        switch (form)
        {
            case 0:
                (body, headers, formName) = (Notifications.PushBody(data, messageId: _random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)), Json(), "push");
                break;
            case 1:
                (body, headers, formName) = (data, Json(), "unwrapped");
                break;
            case 2:
                (body, headers, formName) = (Notifications.PushBody(data), RawDeliveries.Binary([]).Headers.Where(h => h.Key != "Authorization").ToDictionary(), "binary");
                break;
            default:
                (body, headers, formName) = (RawDeliveries.Structured(Notifications.PushBody(data)).Body.ToArray(), new Dictionary<string, string> { ["Content-Type"] = "application/cloudevents+json" }, "structured");
                break;
        }

        var outer = "envelope intact";
        switch (_random.Next(4))
        {
            case 0:
                body = MutateJson(body, out outer);
                break;
            case 1:
                body = MutateBytes(body, out outer);
                break;
        }

        return new MutatedDelivery(body, headers, $"{name}/{formName}: {inner}; {outer}");
    }

    private static Dictionary<string, string> Json() => new Dictionary<string, string> { ["Content-Type"] = "application/json" };

    private byte[] MutateJson(byte[] json, out string mutation)
    {
        try
        {
            return MutateJsonTree(json, out mutation);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            // Text JsonNode cannot hold (a lone surrogate from an earlier mutation): mutate the bytes instead.
            return MutateBytes(json, out mutation);
        }
    }

    private byte[] MutateJsonTree(byte[] json, out string mutation)
    {
        var root = JsonNode.Parse(json)!;
        var containers = new List<JsonNode>();
        Collect(root, containers);
        var parent = containers[_random.Next(containers.Count)];
        var value = s_hostileJson[_random.Next(s_hostileJson.Length)];
        string where;
        if (parent is JsonObject obj && obj.Count > 0)
        {
            var key = obj.ElementAt(_random.Next(obj.Count)).Key;
            where = parent.GetPath() + "." + key;
            obj[key] = Placeholder;
        }
        else if (parent is JsonArray array && array.Count > 0)
        {
            var index = _random.Next(array.Count);
            where = $"{parent.GetPath()}[{index}]";
            array[index] = Placeholder;
        }
        else
        {
            mutation = "no container";
            return json;
        }

        mutation = $"{where} = {(value.Length > 40 ? value[..40] + "…" : value)}";

        // The placeholder is swapped for raw JSON text, so values JsonNode cannot hold (lone surrogates) get in.
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace($"\"{PlaceholderText}\"", value, StringComparison.Ordinal));
    }

    private const string PlaceholderText = "__mutated__";

    private static JsonNode Placeholder => JsonValue.Create(PlaceholderText)!;

    private static void Collect(JsonNode node, List<JsonNode> containers)
    {
        switch (node)
        {
            case JsonObject obj:
                containers.Add(obj);
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        Collect(child, containers);
                    }
                }

                break;
            case JsonArray array:
                containers.Add(array);
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Collect(child, containers);
                    }
                }

                break;
        }
    }

    private byte[] MutateBytes(byte[] body, out string mutation)
    {
        var bytes = new List<byte>(body);
        var at = _random.Next(bytes.Count);
        switch (_random.Next(6))
        {
            case 0:
                bytes[at] ^= (byte)_random.Next(1, 256);
                mutation = $"byte {at} flipped";
                break;
            case 1:
                bytes.InsertRange(at, _random.Next(2) == 0 ? [0xff] : [0xc3, 0x28]);
                mutation = $"invalid UTF-8 at {at}";
                break;
            case 2:
                var length = Math.Min(bytes.Count - at, _random.Next(1, 64));
                bytes.RemoveRange(at, length);
                mutation = $"{length} bytes cut at {at}";
                break;
            case 3:
                bytes.RemoveRange(at, bytes.Count - at);
                mutation = $"truncated at {at}";
                break;
            case 4:
                bytes.InsertRange(at, "\\ud800"u8.ToArray());
                mutation = $"lone surrogate escape at {at}";
                break;
            default:
                var copy = bytes.GetRange(at, Math.Min(bytes.Count - at, 200));
                bytes.InsertRange(at, copy);
                mutation = $"{copy.Count} bytes repeated at {at}";
                break;
        }

        return [.. bytes];
    }
}
