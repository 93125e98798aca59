using System.Text.Json.Serialization;

namespace ReverseShellFunction.Collection;

/// <summary>How a collector ended. Serialized in lower case in the manifest and the index.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CollectorStatus>))]
public enum CollectorStatus
{
    [JsonStringEnumMemberName("ok")]
    Ok,

    [JsonStringEnumMemberName("partial")]
    Partial,

    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("skipped")]
    Skipped,
}
