using System.Text.Json.Serialization;

namespace ReverseShellFunction.Pipeline;

/// <summary>How one delivery was handled. Every outcome is acknowledged (2xx); store failures throw instead.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PipelineOutcome>))]
public enum PipelineOutcome
{
    [JsonStringEnumMemberName("stored")]
    Stored,

    [JsonStringEnumMemberName("already-stored")]
    AlreadyStored,

    [JsonStringEnumMemberName("ignored")]
    Ignored,

    [JsonStringEnumMemberName("quarantined")]
    Quarantined,
}
