using System.Text.Json;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Cli;

/// <summary>JSON for stdout: one document per line (for jq and log shippers) or indented for a person.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_line = new(EvidenceJson.Options) { WriteIndented = false };

    public static string Line<T>(T value) => JsonSerializer.Serialize(value, s_line);

    public static string Indented<T>(T value) => JsonSerializer.Serialize(value, EvidenceJson.Options);
}
