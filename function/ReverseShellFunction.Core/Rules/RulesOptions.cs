namespace ReverseShellFunction.Rules;

/// <summary>Which findings get an evidence bundle.</summary>
public sealed record RulesOptions
{
    /// <summary>Categories that are collected, compared case-insensitively (<c>COLLECT_CATEGORIES</c>).</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>Whether muted findings are collected too (<c>COLLECT_MUTED</c>).</summary>
    public bool CollectMuted { get; set; }
}
