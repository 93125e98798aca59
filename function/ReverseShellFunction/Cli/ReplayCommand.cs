using System.CommandLine;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>replay FILE…</c>: runs each file through the same pipeline as an HTTP delivery and prints the result,
/// one readable line per file (outcome, bundle id, completeness, headline), or with <c>--json</c> one JSON line
/// per file with the index entry. A file may hold a notification, a Pub/Sub push body or a structured CloudEvent.
/// </summary>
public static class ReplayCommand
{
    // One JSON document per line, so the output pipes into jq or a log shipper.
    private static readonly JsonSerializerOptions s_jsonLines = new(EvidenceJson.Options) { WriteIndented = false };

    public static Command Create(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var files = new Argument<FileInfo[]>("file") { Description = "Files to replay", Arity = ArgumentArity.OneOrMore };
        var command = new Command("replay", "Run the pipeline on files holding a notification, a Pub/Sub push body or a structured CloudEvent");
        var json = new Option<bool>("--json") { Description = "Print one JSON line per file, with the whole index entry" };
        command.Arguments.Add(files);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(parse, store, async (services, output, ct) =>
        {
            StartupSweep.Run(services);
            var processor = services.GetRequiredService<IntakeProcessor>();
            var exitCode = ExitCodes.Ok;
            foreach (var file in parse.GetValue(files)!)
            {
                var raw = await ReadAsync(file, services.GetRequiredService<TimeProvider>(), ct);
                var result = await processor.ProcessAsync(raw, ct);
                if (result.Outcome == PipelineOutcome.Quarantined)
                {
                    exitCode = ExitCodes.Problem;
                }

                var line = parse.GetValue(json) ? JsonSerializer.Serialize(new { file = file.Name, result }, s_jsonLines) : HumanLine(file.Name, result);
                await output.WriteLineAsync(line.AsMemory(), ct);
            }

            return exitCode;
        }, cancellationToken));
        return command;
    }

    /// <summary>"sample.json: stored 2026…-3a05… (complete): CRITICAL Reverse Shell on service …".</summary>
    internal static string HumanLine(string file, PipelineResult result)
    {
        var outcome = JsonSerializer.Serialize(result.Outcome, s_jsonLines).Trim('"');
        var text = result.IndexEntry is { } entry
            ? $"{file}: {outcome} {entry.Summary.BundleId} ({IndexTable.Completeness(entry.Summary.Collectors)}): {entry.Summary.Headline ?? SummaryBuilder.Headline(entry.Summary)}"
            : $"{file}: {outcome}: {result.Reason}" + (result.ObjectName is null ? "" : $" ({result.ObjectName})");
        return Audit.AuditText.Clean(text, 2000);
    }

    private static async Task<RawDelivery> ReadAsync(FileInfo file, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new UsageException($"No such file: {file.FullName}");
        }

        byte[] body;
        try
        {
            body = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Could not read {file.FullName}: {ex.Message}");
        }

        var headers = new Dictionary<string, string> { ["content-type"] = IsStructuredCloudEvent(body) ? "application/cloudevents+json" : "application/json" };
        return RawDelivery.FromBytes(headers, body, time.GetUtcNow(), DeliverySource.Replay, file.Name);
    }

    /// <summary>A structured CloudEvent has a top-level specversion; anything unreadable goes the push way and is quarantined there.</summary>
    private static bool IsStructuredCloudEvent(byte[] body)
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
