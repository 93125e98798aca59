using System.Text;
using System.Text.Json;

namespace ReverseShellFunction.Collect.GoogleApis;

/// <summary>Reads the standard Google error body, <c>{"error":{"code","message","status"}}</c>, leniently.</summary>
public static class GoogleErrorBody
{
    // Error bodies are small; a proxy's HTML page is not worth more than this.
    private const int MaxBytes = 64 * 1024;
    private const int MaxNonJsonChars = 300;

    public static async Task<(string? Status, string Message)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        byte[] body;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            body = await ReadPrefixAsync(stream, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (null, Fallback(response, ""));
        }

        return Parse(body) ?? (null, Fallback(response, Encoding.UTF8.GetString(body)));
    }

    public static (string? Status, string Message)? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                var status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                return (status, message.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Not the standard shape: the caller falls back to the raw text.
        }

        return null;
    }

    private static string Fallback(HttpResponseMessage response, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > MaxNonJsonChars)
        {
            trimmed = trimmed[..MaxNonJsonChars] + "…";
        }

        return trimmed.Length > 0 ? $"{response.ReasonPhrase}: {trimmed}" : response.ReasonPhrase ?? "no error message";
    }

    private static async Task<byte[]> ReadPrefixAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return buffer[..total];
    }
}
