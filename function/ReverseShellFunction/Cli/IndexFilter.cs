using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary><c>list</c>'s filters on what an index entry says; each compares whole values, ignoring case.</summary>
internal sealed record IndexFilter(string? Project, string? Service, string? Category)
{
    public bool Matches(IndexEntry entry)
    {
        var summary = entry.Summary;
        return Is(Project, summary.Resource.Project, summary.Resource.ProjectNumber)
            && Is(Service, summary.Resource.Service, summary.Resource.Job)
            && Is(Category, summary.Finding.Category, null);
    }

    private static bool Is(string? wanted, string? value, string? alternative) =>
        wanted is null
        || string.Equals(wanted, value, StringComparison.OrdinalIgnoreCase)
        || string.Equals(wanted, alternative, StringComparison.OrdinalIgnoreCase);
}
