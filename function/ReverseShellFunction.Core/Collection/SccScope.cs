using System.Text.Json.Serialization;

namespace ReverseShellFunction.Collection;

/// <summary>Where the deployment may list findings: the level its <c>findingsViewer</c> grant is on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SccScope>))]
public enum SccScope
{
    /// <summary>The finding's project, from its <c>canonicalName</c> (projects/NUMBER/sources/…).</summary>
    [JsonStringEnumMemberName("project")]
    Project,

    /// <summary>The finding's organization.</summary>
    [JsonStringEnumMemberName("organization")]
    Organization,
}
