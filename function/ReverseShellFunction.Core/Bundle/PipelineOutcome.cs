using System.Text.Json.Serialization;

namespace ReverseShellFunction.Bundle;

/// <summary>How one delivery was handled. Every outcome but <see cref="InFlight"/> is acknowledged (2xx); store failures throw instead.</summary>
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

    /// <summary>Another delivery of the same event holds the lease and has not stored it yet: answered 503, not acknowledged.</summary>
    [JsonStringEnumMemberName("in-flight")]
    InFlight,
}
