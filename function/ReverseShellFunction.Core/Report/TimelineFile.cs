using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Report;

/// <summary>
/// <c>timeline.jsonl</c>: one JSON object per line in the shape Timesketch imports (<c>message</c>,
/// <c>datetime</c> ISO 8601, <c>timestamp_desc</c>, plus attributes; log entries carry
/// <c>data_type</c> <c>gcp:log:json</c> and the attribute names of that data type, so Timesketch's GCP analyzers
/// work). Large timelines are split into <c>timeline-2.jsonl</c>, <c>timeline-3.jsonl</c>, … so each file stays
/// under an upload limit. Values are shown with <see cref="DisplayText.Visible"/>: the raw entries stay in <c>logs/</c>.
/// </summary>
public sealed class TimelineFile : IAsyncDisposable
{
    public const string LogDataType = "gcp:log:json";
    public const string FindingDataType = "gcp:scc:finding";
    public const string CollectionDataType = "reverse-shell-evidence:collection";

    /// <summary>Default chunk size: well under the upload limits of Timesketch's web importer.</summary>
    public const long DefaultChunkBytes = 20 * 1024 * 1024;

    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IEvidenceWriter _evidence;
    private readonly long _chunkBytes;
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly List<string> _files = [];
    private Stream? _current;
    private long _currentBytes;

    public TimelineFile(IEvidenceWriter evidence, long chunkBytes = DefaultChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1024);
        _evidence = evidence;
        _chunkBytes = chunkBytes;
    }

    /// <summary>The files written, first <see cref="BundleLayout.Entries.Timeline"/>.</summary>
    public IReadOnlyList<string> Files => _files;

    public long Lines { get; private set; }

    /// <summary>Writes one event; <paramref name="attributes"/> with null values are left out.</summary>
    public async Task AddAsync(
        DateTimeOffset time,
        string timestampDescription,
        string dataType,
        string message,
        IEnumerable<KeyValuePair<string, string?>> attributes,
        CancellationToken cancellationToken)
    {
        _line.ResetWrittenCount();
        await using (var json = new Utf8JsonWriter(_line, s_options))
        {
            json.WriteStartObject();
            json.WriteString("message", Show(message, 1000));
            json.WriteString("datetime", EvidenceTime.Format(time));
            json.WriteString("timestamp_desc", timestampDescription);
            json.WriteString("data_type", dataType);
            foreach (var (key, value) in attributes)
            {
                if (value is not null)
                {
                    json.WriteString(key, Show(value, 2000));
                }
            }

            json.WriteEndObject();
        }

        _line.Write("\n"u8);
        if (_current is null || (_currentBytes > 0 && _currentBytes + _line.WrittenCount > _chunkBytes))
        {
            await NextChunkAsync();
        }

        await _current!.WriteAsync(_line.WrittenMemory, cancellationToken);
        _currentBytes += _line.WrittenCount;
        Lines++;
    }

    private async Task NextChunkAsync()
    {
        await CloseChunkAsync();
        var name = BundleLayout.Entries.TimelineChunk(_files.Count + 1);
        _current = _evidence.CreateFile(name);
        _files.Add(name);
        _currentBytes = 0;
    }

    // Hostile text is escaped the same way everywhere a person reads it, and an empty message is never sent.
    private static string Show(string text, int maxLength)
    {
        var visible = DisplayText.Visible(text, maxLength);
        return visible.Length == 0 ? "-" : visible;
    }

    public ValueTask DisposeAsync() => CloseChunkAsync();

    private async ValueTask CloseChunkAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }
    }
}
