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
/// with the index entry, as JSON. A file may hold a notification, a Pub/Sub push body or a structured CloudEvent.
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
        command.Arguments.Add(files);
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

                await output.WriteLineAsync(JsonSerializer.Serialize(new { file = file.Name, result }, s_jsonLines).AsMemory(), ct);
            }

            return exitCode;
        }, cancellationToken));
        return command;
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
