using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Logging;

namespace ReverseShellFunction.Collectors.Logs;

/// <summary>
/// Pages through <c>entries:list</c> and streams each entry as one JSON line to a bundle file, under the
/// entry and byte caps. Only one page is ever in memory. Whatever was written before a failure or the
/// deadline stays, and the report says why it stopped.
/// </summary>
/// <param name="redactor">Applied to every entry when set; audit entries repeat a service's env values.</param>
public sealed class LogEntriesDownload(LoggingApi api, CollectionOptions options, SecretRedactor? redactor)
{
    private static readonly byte[] s_newline = "\n"u8.ToArray();
    private static readonly JsonElement s_noEntries = JsonElement.Parse("[]");

    /// <param name="userProject">Sent as <c>x-goog-user-project</c> when set: the project whose read quota is used.</param>
    public async Task<CollectorReport> RunAsync(
        string project, string filter, string? userProject, string path, IEvidenceWriter evidence, CollectorProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(progress);
        progress.Query = api.Describe(project, filter);
        Stream? file = null;
        long bytes = 0;
        string? lastTimestamp = null;
        var checkpoint = new Checkpoint(0, 0, 0, null);
        DateTimeOffset? minute = null;
        try
        {
            // One page size for every page: Logging asks for the same parameters on each call of a listing, so the
            // last page is not shrunk to the cap; entries beyond it are dropped below and the file says truncated.
            var pageSize = (int)Math.Min(LoggingApi.MaxPageSize, options.LogMaxEntries);
            var maxCalls = MaxCalls(options.LogMaxEntries);
            var calls = 0;
            string? pageToken = null;
            do
            {
                calls++;
                using var page = await api.ListPageAsync(project, filter, pageSize, pageToken, userProject, cancellationToken);
                if (file is null)
                {
                    file = evidence.CreateFile(path);
                    progress.AddFile(path);
                }

                foreach (var entry in Entries(page.RootElement))
                {
                    var (line, redactions) = Serialize(entry, path, progress.Items + 1);
                    if (progress.Items >= options.LogMaxEntries || bytes + line.Length + 1 > options.LogMaxBytes)
                    {
                        progress.Truncated = true;
                        break;
                    }

                    if (MinuteOf(entry) is { } entryMinute && entryMinute != minute)
                    {
                        // Entries come oldest first: everything before this minute is in the file.
                        (checkpoint, minute) = (new Checkpoint(bytes, progress.Items, progress.RedactionCount, entryMinute), entryMinute);
                    }

                    // Not the collection token: a line is written whole or not at all, so the file stays valid JSONL.
                    await file.WriteAsync(line, CancellationToken.None);
                    await file.WriteAsync(s_newline, CancellationToken.None);
                    bytes += line.Length + 1;
                    progress.AddItems(1);
                    progress.AddRedactions(redactions);
                    lastTimestamp = entry.TryGetProperty("timestamp", out var time) && time.ValueKind == JsonValueKind.String ? time.GetString() : lastTimestamp;
                }

                pageToken = page.RootElement.TryGetProperty("nextPageToken", out var next) && next.ValueKind == JsonValueKind.String
                    && next.GetString() is { Length: > 0 } token ? token : null;
                progress.Truncated |= pageToken is not null && progress.Items >= options.LogMaxEntries;
                if (pageToken is not null && !progress.Truncated && calls >= maxCalls)
                {
                    progress.Truncated = true;
                    progress.Note = $"capped at {maxCalls} entries:list calls (2 x LOG_MAX_ENTRIES / page size + 2, the bound the completion queue's rate is sized by): "
                        + $"Logging answered short or empty pages; entries up to {lastTimestamp ?? "the window start"} kept";
                    return progress.Ok();
                }
            }
            while (pageToken is not null && !progress.Truncated);

            // Entries come oldest first: say how far the kept ones reach, since the event may lie beyond.
            progress.Note = progress.Truncated
                ? $"capped at {options.LogMaxEntries} entries or {options.LogMaxBytes} bytes (LOG_MAX_ENTRIES, LOG_MAX_BYTES); entries up to {lastTimestamp ?? "the window start"} kept"
                : null;
            return progress.Ok();
        }
        catch (GoogleApiException ex) when (!ex.IsQuotaExceeded)
        {
            return progress.Failed(ex);
        }
        catch (Exception ex) when (ex is GoogleApiException or ReadAllowanceSpentException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Retry later, not a fault: the next part reads on from the last whole minute kept.
            var resume = await CutAsync(file, checkpoint, progress);
            var reason = ex switch
            {
                // Waiting out a per-minute quota inside the delivery would cost the deadline of every other collector.
                GoogleApiException quota => $"quota: retry later ({quota.QuotaDescription} exceeded, {progress.Items} entries kept before it); "
                    + $"a later part reads {From(resume)}: " + quota.Describe(),

                // The dispatch's reads are spent (its own part and the siblings it ran): not sent, not a fault.
                ReadAllowanceSpentException => $"retry later: {ex.Message}; {progress.Items} entries kept, and a later part reads {From(resume)}",
                _ => $"stopped by the collection deadline or the delivery budget; {progress.Items} entries kept, and a later part reads {From(resume)}",
            };
            return progress.Failed(reason, retryLater: true) with { ResumeFrom = resume };
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A read cut short keeps only whole minutes, and the next part reads on from the first minute not kept: entries
    /// of one minute can span pages, so cutting anywhere else would store some of them twice or never. Null: the
    /// file is empty again (or cannot be cut) and the next part reads from where this read started.
    /// </summary>
    private static async Task<DateTimeOffset?> CutAsync(Stream? file, Checkpoint checkpoint, CollectorProgress progress)
    {
        if (file is null || !file.CanSeek)
        {
            return null;
        }

        await file.FlushAsync(CancellationToken.None);
        file.SetLength(checkpoint.Bytes);
        progress.Rewind(checkpoint.Items, checkpoint.Redactions);
        if (checkpoint.Minute is { } minute && progress.Window is { } window && minute < window.To)
        {
            progress.Window = window with { To = minute };
        }

        return checkpoint.Minute;
    }

    private static string From(DateTimeOffset? resume) =>
        resume is { } time ? $"on from {FilterText.Rfc3339(time)}" : "the window again";

    private static DateTimeOffset? MinuteOf(JsonElement entry) =>
        entry.TryGetProperty("timestamp", out var time) && time.ValueKind == JsonValueKind.String && Rfc3339.TryParse(time.GetString(), out var at)
            ? new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero)
            : null;

    /// <summary>Where the file stood when the first entry of <see cref="Minute"/> came: every earlier entry is before it.</summary>
    private sealed record Checkpoint(long Bytes, long Items, int Redactions, DateTimeOffset? Minute);

    /// <summary>
    /// The most <c>entries:list</c> calls one window read makes: twice the pages <paramref name="logMaxEntries"/> fills,
    /// plus two, room for the short and empty pages Logging answers while it searches. A fixed bound per window is
    /// what makes Terraform's plan-time check of the completion queue's rate against the Logging quota a true bound
    /// (terraform/completion.tf computes the same number from log_max_entries).
    /// </summary>
    public static int MaxCalls(long logMaxEntries)
    {
        var pageSize = Math.Min(LoggingApi.MaxPageSize, logMaxEntries);
        return (int)(2 * ((logMaxEntries + pageSize - 1) / pageSize)) + 2;
    }

    private static JsonElement.ArrayEnumerator Entries(JsonElement page) =>
        (page.TryGetProperty("entries", out var entries) && entries.ValueKind == JsonValueKind.Array ? entries : s_noEntries).EnumerateArray();

    private (byte[] Line, IReadOnlyList<Redaction> Redactions) Serialize(JsonElement entry, string path, long lineNumber)
    {
        if (redactor is null)
        {
            return (JsonSerializer.SerializeToUtf8Bytes(entry, JsonEvidence.CompactSerializer), []);
        }

        var node = JsonNode.Parse(entry.GetRawText());
        var redactions = redactor.Redact(node, path, $"line {lineNumber}: $");
        return (JsonSerializer.SerializeToUtf8Bytes(node, JsonEvidence.CompactSerializer), redactions);
    }
}
