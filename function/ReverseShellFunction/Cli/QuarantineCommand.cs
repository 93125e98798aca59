using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>quarantine list</c> and <c>quarantine show ID</c>: the deliveries the function kept under <c>quarantine/</c>
/// because they can never become a bundle, read-only. A record holds what a sender (possibly hostile) sent: every
/// text is shown with control, format and bidi characters as <c>\uXXXX</c>, and the body only as such text.
/// </summary>
public static class QuarantineCommand
{
    // What show prints of a body: enough to recognise it; --json has the whole kept body.
    private const int BodyLines = 40;
    private const int BodyLineLength = 400;

    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new Command("quarantine", $"List or show the deliveries kept in {BundleLayout.QuarantinePrefix} because they can never become a bundle (read-only)")
        {
            List(store),
            Show(store),
        };
    }

    private static Command List(StoreOptions store)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON line per record (everything but the body) instead of text" };
        var command = new Command("list", "List quarantine records, newest first: id, when, the problem, where from, size and why") { json };
        var width = new WidthOptions(command, "Each record's lines in full, however wide");
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: true, async (services, output, ct) =>
        {
            var (reader, location) = Reader(services);
            var columns = width.Resolve(parse, store.Environment);
            var names = await reader.ListQuarantineObjectNamesAsync(ct).ToListAsync(ct);
            var exitCode = ExitCodes.Ok;
            var listed = 0;
            foreach (var name in names.AsEnumerable().Reverse())
            {
                var bytes = await reader.ReadQuarantineAsync(name, ct);
                var (record, problem) = bytes is null ? (null, "gone while listing") : Parse(bytes);
                if (record is null)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"warning: {DisplayText.Visible(name, 200)}: {problem}; not listed");
                    exitCode = ExitCodes.Problem;
                    continue;
                }

                listed++;
                var text = parse.GetValue(json)
                    ? JsonOutput.Line(Summary(name, record)) + "\n"
                    : TextWrap.Fit(
                        $"{BundleLayout.QuarantineId(name)}\n"
                        + $"  {SummaryText.Time(record.ReceivedAt)}  {record.Problem}  {DisplayText.Visible(record.Origin, 200)}  {Size(record)}\n"
                        + $"  {DisplayText.Visible(record.Message)}\n",
                        columns);
                await output.WriteAsync(text.AsMemory(), ct);
            }

            var footer = listed == 0 && exitCode == ExitCodes.Ok
                ? $"No quarantine records in {location}."
                : $"{listed} quarantine record(s) in {location}";
            await parse.InvocationConfiguration.Error.WriteAsync(TextWrap.Fit(footer + "\n", columns));
            return exitCode;
        }, cancellationToken));
        return command;
    }

    private static Command Show(StoreOptions store)
    {
        var id = new Argument<string>("id") { Description = $"The record's id as 'quarantine list' prints it, or its object name ({BundleLayout.QuarantinePrefix}…/ID.json)" };
        var json = new Option<bool>("--json") { Description = "Print the record as stored (JSON, the kept body in bodyBase64) instead of text" };
        var command = new Command("show", "Show one quarantine record: why it was kept, when, from where, its allowed headers and its body as text") { id, json };
        var width = new WidthOptions(command, "Every line in full, however wide");
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: true, async (services, output, ct) =>
        {
            var (reader, location) = Reader(services);
            var text = parse.GetValue(id)!;
            var name = BundleLayout.QuarantineObjectFor(text)
                ?? throw new UsageException($"'{DisplayText.Visible(text, 100)}' is not a quarantine record id: give the id 'quarantine list' prints (yyyyMMddTHHmmssfffZ-HASH-NONCE) or its object name.");
            var bytes = await reader.ReadQuarantineAsync(name, ct);
            if (bytes is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: not found: no quarantine record {BundleLayout.QuarantineId(name)} in {location} (looked for {name})");
                return ExitCodes.Problem;
            }

            if (parse.GetValue(json))
            {
                using var document = JsonDocument.Parse(bytes);
                await output.WriteLineAsync(JsonOutput.Indented(document.RootElement).AsMemory(), ct);
                return ExitCodes.Ok;
            }

            var (record, problem) = Parse(bytes);
            if (record is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {name}: {problem}");
                return ExitCodes.Problem;
            }

            await output.WriteAsync(TextWrap.Fit(Describe(name, record), width.Resolve(parse, store.Environment)).AsMemory(), ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static (IQuarantineReader Reader, string Location) Reader(IServiceProvider services)
    {
        var evidence = services.GetRequiredService<IEvidenceStore>();
        return evidence is IQuarantineReader reader
            ? (reader, evidence.Location)
            : throw new UsageException($"The store at {evidence.Location} cannot list quarantine records.");
    }

    private static (QuarantineRecord? Record, string? Problem) Parse(byte[] bytes)
    {
        try
        {
            return (EvidenceJson.Deserialize<QuarantineRecord>(bytes), null);
        }
        catch (JsonException ex)
        {
            return (null, $"not a readable quarantine record ({DisplayText.Visible(ex.Message, 200)})");
        }
    }

    /// <summary>list --json: the record without its body, and where it is.</summary>
    private static object Summary(string name, QuarantineRecord record) => new
    {
        id = BundleLayout.QuarantineId(name),
        objectName = name,
        record.Schema,
        record.Problem,
        record.Message,
        record.ReceivedAt,
        record.Origin,
        record.BodyLength,
        record.BodySha256,
        record.BodyTruncated,
        keptHeaders = record.Headers?.Count ?? 0,
        droppedHeaders = record.DroppedHeaders?.Count ?? 0,
    };

    private static string Describe(string name, QuarantineRecord record)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Quarantine record {BundleLayout.QuarantineId(name)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Problem:   {record.Problem}: {DisplayText.Visible(record.Message, 2000)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Received:  {SummaryText.Time(record.ReceivedAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Origin:    {DisplayText.Visible(record.Origin)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Body:      {Size(record)}, sha256 {record.BodySha256}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Object:    {name}\n");
        // A record is the function's own, but the store may have been written to by others: nothing in it is assumed.
        foreach (var (header, value) in (record.Headers ?? new Dictionary<string, string>()).OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"  Header:    {DisplayText.Visible(header, 100)}: {DisplayText.Visible(value, 500)}\n");
        }

        if (record.DroppedHeaders is { Count: > 0 })
        {
            text.Append(CultureInfo.InvariantCulture, $"  Not kept:  {string.Join(", ", record.DroppedHeaders.Select(h => DisplayText.Visible(h, 100)))} (names only; values are never stored)\n");
        }

        text.Append("\nBody as text (control, format and bidi characters as \\uXXXX; --json has the kept bytes):\n");
        if (KeptBody(record) is not { } body)
        {
            text.Append("  (the record's bodyBase64 is not base64)\n");
            return text.ToString();
        }

        var lines = Encoding.UTF8.GetString(body).Split('\n');
        foreach (var line in lines.Take(BodyLines))
        {
            text.Append("  ").Append(DisplayText.Visible(line.TrimEnd('\r'), BodyLineLength)).Append('\n');
        }

        if (lines.Length > BodyLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"  … {lines.Length - BodyLines} more line(s)\n");
        }

        return text.ToString();
    }

    private static string Size(QuarantineRecord record) => record.BodyTruncated
        ? $"{record.BodyLength} bytes (first {KeptBody(record)?.Length.ToString(CultureInfo.InvariantCulture) ?? "?"} kept)"
        : $"{record.BodyLength} bytes";

    /// <summary>The kept body, or null when a damaged record's bodyBase64 is not base64.</summary>
    private static byte[]? KeptBody(QuarantineRecord record)
    {
        try
        {
            return Convert.FromBase64String(record.BodyBase64 ?? "");
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
