using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ReverseShellFunction.Benchmarks;

/// <summary>One delivery's answer as the benchmarks read it.</summary>
internal sealed record EventAnswer(
    HttpStatusCode Status,
    string? Outcome,
    string? BundleId,
    string? BundleObject,
    double Milliseconds,
    IReadOnlyDictionary<string, CollectorAnswer> Collectors,
    string? Error)
{
    public bool Stored => Status == HttpStatusCode.OK && Outcome == "stored" && BundleObject is not null;

    public string Describe() => Error ?? $"HTTP {(int)Status} {Outcome}";
}

internal sealed record CollectorAnswer(string Status, long? ItemCount, bool Truncated);

/// <summary>Posts a delivery to the function and reads the index entry it answers with.</summary>
internal static class EventClient
{
    public static async Task<EventAnswer> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return Read(response.StatusCode, body, elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new EventAnswer(0, null, null, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, new Dictionary<string, CollectorAnswer>(), $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    public static EventAnswer Read(HttpStatusCode status, byte[] body, double milliseconds)
    {
        var collectors = new Dictionary<string, CollectorAnswer>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? outcome = Text(root, "outcome");
            string? bundleId = Text(root, "bundleId");
            string? objectName = null;
            if (root.TryGetProperty("indexEntry", out var entry) && entry.ValueKind == JsonValueKind.Object)
            {
                objectName = Text(entry.GetProperty("bundle"), "objectName");
                foreach (var collector in entry.GetProperty("summary").GetProperty("collectors").EnumerateArray())
                {
                    collectors[Text(collector, "name") ?? "?"] = new CollectorAnswer(
                        Text(collector, "status") ?? "?",
                        collector.TryGetProperty("itemCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64() : null,
                        collector.TryGetProperty("truncated", out var truncated) && truncated.ValueKind == JsonValueKind.True);
                }
            }

            return new EventAnswer(status, outcome, bundleId, objectName, milliseconds, collectors, null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new EventAnswer(status, null, null, null, milliseconds, collectors, $"HTTP {(int)status}, unreadable answer: {ex.Message}");
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
