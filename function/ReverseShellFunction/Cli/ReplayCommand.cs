using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>replay FILE…</c>: runs each file through the same pipeline as an HTTP delivery and prints the result,
/// one readable line per file (outcome, bundle id, the bundle's state, headline), or with <c>--json</c> one JSON line
/// per file with the index entry. A file may hold a notification, a Pub/Sub push body or a structured CloudEvent, or
/// what <c>gcloud scc findings list --format=json</c> prints: a JSON array of ListFindingsResult objects
/// (<c>{finding, resource, stateChange}</c>), each replayed as the notification SCC sends for it
/// (<c>{finding, resource}</c>), one line per element as <c>FILE[i]</c>.
/// </summary>
public static class ReplayCommand
{
    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var files = new Argument<FileInfo[]>("file") { Description = "Files to replay", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per file, with the whole index entry" };
        var command = new Command("replay", "Run the pipeline on files holding a notification, a Pub/Sub push body or a structured CloudEvent") { files, json };
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: false, async (services, output, ct) =>
        {
            StartupSweep.Run(services);
            var processor = services.GetRequiredService<IntakeProcessor>();
            var exitCode = ExitCodes.Ok;
            var time = services.GetRequiredService<TimeProvider>();
            foreach (var file in parse.GetValue(files)!)
            {
                var raw = await ReadAsync(file, time, ct);
                var deliveries = FindingsList(file, raw, time) ?? [(file.Name, raw)];
                if (deliveries.Count == 0)
                {
                    await output.WriteLineAsync($"{DisplayText.Visible(file.Name, 200)}: an empty list of findings; nothing to replay".AsMemory(), ct);
                }

                foreach (var (name, delivery) in deliveries)
                {
                    var result = await processor.ProcessAsync(delivery, ct);
                    if (result.Outcome == PipelineOutcome.Quarantined)
                    {
                        exitCode = ExitCodes.Problem;
                    }
                    else if (result.Outcome == PipelineOutcome.InFlight && exitCode == ExitCodes.Ok)
                    {
                        // Another process still held the event's lease after waiting it out: nothing stored, run it again.
                        exitCode = ExitCodes.StoreFailure;
                    }

                    var line = parse.GetValue(json) ? JsonOutput.Line(new { file = name, result }) : HumanLine(name, result);
                    await output.WriteLineAsync(line.AsMemory(), ct);
                }
            }

            return exitCode;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// "sample.json: stored 2026…-3a05… (not-found; complete): CRITICAL Reverse Shell on service …": the bundle's
    /// state in <see cref="StateWords"/>' words before the headline.
    /// </summary>
    internal static string HumanLine(string file, PipelineResult result)
    {
        var outcome = JsonOutput.Line(result.Outcome).Trim('"');
        var text = result.IndexEntry is { } entry
            ? $"{file}: {outcome} {entry.Summary.BundleId} ({StateWords.Line(entry.Summary)}): {SummaryHeadline.Shown(entry.Summary)}"
                + (entry.Summary.Completion is { State: Completeness.Pending } ? " (run `complete --wait` or `serve` to collect the rest)" : "")
            : $"{file}: {outcome}: {result.Reason}" + (result.ObjectName is null ? "" : $" ({result.ObjectName})");
        return DisplayText.Visible(text, 2000);
    }

    private static async Task<RawDelivery> ReadAsync(FileInfo file, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new UsageException($"No such file: {file.FullName}");
        }

        try
        {
            // Like the HTTP edge: keep at most the read limit, hash and count all of it, so a huge file is
            // quarantined with its true size and SHA-256 instead of being loaded whole. A pipe (/dev/stdin, a
            // process substitution) has no length: the buffer grows as it is read.
            await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
            var (kept, total, sha256) = await Endpoints.RequestBodyReader.ReadBodyAsync(stream, stream.CanSeek ? stream.Length : null, maxTotal: null, cancellationToken);
            return new RawDelivery
            {
                Headers = new Dictionary<string, string> { ["content-type"] = IsStructuredCloudEvent(kept) ? "application/cloudevents+json" : "application/json" },
                Body = kept,
                BodyLength = total,
                BodySha256 = sha256,
                ReceivedAt = time.GetUtcNow(),
                Source = DeliverySource.Replay,
                BodyIsOwned = true,
                ReplayFile = file.Name,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Could not read {file.FullName}: {ex.Message}");
        }
    }

    /// <summary>
    /// The notifications in what <c>gcloud scc findings list --format=json</c> prints, or null when the file is not a
    /// JSON array (then it is one delivery, as from Pub/Sub). Each element is a ListFindingsResult; SCC's notification
    /// for it carries the same <c>finding</c> and <c>resource</c>, without <c>stateChange</c>, and so does the
    /// delivery made here. An array that is not such a list is a usage error before anything is replayed: it is a
    /// mistaken input, not a delivery, and must not become a quarantine record that stays in the store for good.
    /// </summary>
    internal static IReadOnlyList<(string Name, RawDelivery Delivery)>? FindingsList(FileInfo file, RawDelivery raw, TimeProvider time)
    {
        var text = raw.Body.Span;
        var start = text.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0 || text[start] != (byte)'[')
        {
            return null;
        }

        if (!raw.IsComplete)
        {
            throw new UsageException(
                $"{file.FullName} is a JSON array of {raw.BodyLength} bytes, more than replay reads ({raw.Body.Length}); split it, e.g. jq -c '.[]' FILE | split -l 100, and replay the parts. Nothing was stored or quarantined.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw.Body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{file.FullName} starts like a JSON array but is not valid JSON ({ex.Message}). Nothing was stored or quarantined.");
        }

        using (document)
        {
            var deliveries = new List<(string, RawDelivery)>();
            foreach (var (index, element) in document.RootElement.EnumerateArray().Index())
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("finding", out var finding) || finding.ValueKind != JsonValueKind.Object)
                {
                    throw new UsageException(
                        $"{file.FullName} is a JSON array, but element {index} is not a ListFindingsResult (an object with a \"finding\" object), as gcloud scc findings list --format=json prints. "
                        + "replay takes that list, or one notification, Pub/Sub push body or CloudEvent per file. Nothing was stored or quarantined.");
                }

                var notification = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(notification))
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("finding");
                    finding.WriteTo(writer);
                    if (element.TryGetProperty("resource", out var resource))
                    {
                        writer.WritePropertyName("resource");
                        resource.WriteTo(writer);
                    }

                    writer.WriteEndObject();
                }

                var name = $"{file.Name}[{index}]";
                deliveries.Add((name, RawDelivery.FromBytes(
                    new Dictionary<string, string> { ["content-type"] = "application/json" }, notification.WrittenSpan.ToArray(), time.GetUtcNow(), DeliverySource.Replay, name)));
            }

            return deliveries;
        }
    }

    /// <summary>A structured CloudEvent has a top-level specversion; anything unreadable goes the push way and is quarantined there.</summary>
    private static bool IsStructuredCloudEvent(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("specversion", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
