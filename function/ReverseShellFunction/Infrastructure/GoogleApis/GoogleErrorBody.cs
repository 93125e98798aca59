using System.Text;
using System.Text.Json;

namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// Reads the standard Google error body, <c>{"error":{"code","message","status","details"}}</c>, leniently. Of the
/// details only <c>google.rpc.ErrorInfo</c> is read: its <c>reason</c> (e.g. <c>RATE_LIMIT_EXCEEDED</c>), the
/// quota limit it names in <c>metadata.quota_limit</c> and that limit's value in <c>metadata.quota_limit_value</c>
/// tell a quota refusal apart from an overloaded server and say which quota, at what value, was used up.
/// </summary>
public static class GoogleErrorBody
{
    // Error bodies are small; a proxy's HTML page is not worth more than this.
    private const int MaxBytes = 64 * 1024;
    private const int MaxNonJsonChars = 300;

    private const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";

    public static async Task<GoogleError> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = new byte[MaxBytes];
        int length;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            length = await stream.ReadAtLeastAsync(body, MaxBytes, throwOnEndOfStream: false, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new GoogleError(null, Fallback(response, ""));
        }

        return Parse(body.AsSpan(0, length)) ?? new GoogleError(null, Fallback(response, Encoding.UTF8.GetString(body, 0, length)));
    }

    public static GoogleError? Parse(ReadOnlySpan<byte> body)
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
                return WithErrorInfo(new GoogleError(Text(error, "status"), message.GetString()!), error);
            }
        }
        catch (JsonException)
        {
            // Not the standard shape: the caller falls back to the raw text.
        }

        return null;
    }

    private static GoogleError WithErrorInfo(GoogleError found, JsonElement error)
    {
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return found;
        }

        foreach (var detail in details.EnumerateArray())
        {
            if (detail.ValueKind == JsonValueKind.Object && Text(detail, "@type") == ErrorInfoType)
            {
                var hasMetadata = detail.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object;
                var quotaLimit = hasMetadata ? Text(metadata, "quota_limit") : null;

                // metadata is a map of strings; the limit's value is the quota Google applied, not a number we assume.
                long? quotaValue = hasMetadata && long.TryParse(Text(metadata, "quota_limit_value"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
                    ? value
                    : null;
                return found with { Reason = Text(detail, "reason"), QuotaLimit = quotaLimit, QuotaLimitValue = quotaValue };
            }
        }

        return found;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Fallback(HttpResponseMessage response, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > MaxNonJsonChars)
        {
            trimmed = trimmed[..MaxNonJsonChars] + "…";
        }

        return trimmed.Length > 0 ? $"{response.ReasonPhrase}: {trimmed}" : response.ReasonPhrase ?? "no error message";
    }
}
