using System.Text.Json.Serialization;

namespace ReverseShellFunction.Collection;

/// <summary>
/// Whether Security Command Center itself holds the finding a notification announced. Anyone who can publish to
/// the topic can make the function collect, so the notification alone proves nothing.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingAuthenticity>))]
public enum FindingAuthenticity
{
    /// <summary>SCC returned a finding of that name that agrees with the notification; its current copy is in the bundle.</summary>
    [JsonStringEnumMemberName("confirmed")]
    Confirmed,

    /// <summary>
    /// SCC holds a finding of that name, but its copy differs from the notification in the fields the summary
    /// names (category, state, event time, resource, processes, connections, source properties): the notification
    /// may be forged or altered. The summary's facts are SCC's.
    /// </summary>
    [JsonStringEnumMemberName("contradicted")]
    Contradicted,

    /// <summary>SCC answered and holds no finding of that name: the notification may be forged. Stored all the same, marked.</summary>
    [JsonStringEnumMemberName("not-found")]
    NotFound,

    /// <summary>The check could not be made (no credentials, or SCC failed); the collector's reason says why.</summary>
    [JsonStringEnumMemberName("unchecked")]
    Unchecked,
}
