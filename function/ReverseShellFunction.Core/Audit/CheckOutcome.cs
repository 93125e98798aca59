using System.Text.Json.Serialization;

namespace ReverseShellFunction.Audit;

/// <summary>How one check of a bundle came out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckOutcome>))]
public enum CheckOutcome
{
    [JsonStringEnumMemberName("ok")]
    Passed,

    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>The store cannot answer this check, e.g. a folder keeps no object metadata.</summary>
    [JsonStringEnumMemberName("n/a")]
    NotApplicable,

    /// <summary>A piece the check needs is missing or unreadable; that piece has its own problem.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,
}
