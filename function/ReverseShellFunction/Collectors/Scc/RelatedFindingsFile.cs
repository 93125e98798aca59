using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Collectors.Scc;

/// <summary>
/// Streams <c>related-findings.json</c>: the query, then each result as it arrives (finding and resource
/// verbatim, the triggering finding marked), then the totals. <see cref="Complete"/> closes the document
/// properly even after a failure or the deadline, so a partial file is still valid JSON. The file is created with
/// the first page (<see cref="Open"/>), so a call that fails at once leaves no empty file behind.
/// </summary>
public sealed class RelatedFindingsFile(IEvidenceWriter evidence, CollectorProgress progress, string parent, string filter, string orderBy) : IAsyncDisposable
{
    private Stream? _stream;
    private Utf8JsonWriter _writer = null!;

    /// <summary>Creates the file and writes the query, the first time only.</summary>
    public void Open()
    {
        if (_stream is not null)
        {
            return;
        }

        _stream = evidence.CreateFile(BundleLayout.Entries.RelatedFindings);
        progress.AddFile(BundleLayout.Entries.RelatedFindings);
        _writer = new Utf8JsonWriter(_stream, JsonEvidence.Indented);
        _writer.WriteStartObject();
        _writer.WriteStartObject("query");
        _writer.WriteString("parent", parent);
        _writer.WriteString("filter", filter);
        _writer.WriteString("orderBy", orderBy);
        _writer.WriteEndObject();
        _writer.WriteStartArray("results");
    }

    public async Task AddAsync(JsonElement result, bool isTriggeringFinding)
    {
        _writer.WriteStartObject();
        _writer.WriteBoolean("isTriggeringFinding", isTriggeringFinding);
        foreach (var name in (ReadOnlySpan<string>)["finding", "resource"])
        {
            if (result.TryGetProperty(name, out var value))
            {
                _writer.WritePropertyName(name);
                value.WriteTo(_writer);
            }
        }

        _writer.WriteEndObject();

        // Whole results go to disk as they come, so memory holds at most one page and the deadline loses nothing written.
        if (_writer.BytesPending > 64 * 1024)
        {
            await _writer.FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>Closes the results and writes the totals (if opened); <paramref name="incompleteReason"/> is null when every page was read.</summary>
    public async Task CompleteAsync(long count, long? totalSize, bool truncated, string? incompleteReason)
    {
        if (_stream is null)
        {
            return;
        }

        _writer.WriteEndArray();
        _writer.WriteNumber("count", count);
        if (totalSize is { } total)
        {
            _writer.WriteNumber("totalSize", total);
        }

        _writer.WriteBoolean("truncated", truncated);
        _writer.WriteBoolean("complete", incompleteReason is null);
        if (incompleteReason is not null)
        {
            _writer.WriteString("incompleteReason", incompleteReason);
        }

        _writer.WriteEndObject();

        // Not the collection token: after the deadline the document must still be closed and on disk.
        await _writer.FlushAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _writer.DisposeAsync();
            await _stream.DisposeAsync();
        }
    }
}
