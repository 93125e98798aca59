using System.Globalization;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// The words for where a bundle stands, decided once: every view (<c>replay</c>, <c>list</c>, <c>show</c>,
/// <c>get</c>, summary.md, summary.html, summary.json's <c>state</c>, the notification message) says them from
/// here, so a responder never reads two states for one bundle. A line is "authenticity; completeness":
/// authenticity <c>confirmed</c>, <c>contradicted (fields)</c>, <c>not-found</c> or <c>unchecked</c>; completeness
/// <c>complete</c>, <c>pending pN (due …)</c> or <c>incomplete (what: why)</c>. A collector that did not run is
/// <c>not collected (why)</c>, never "none".
/// </summary>
public static class StateWords
{
    public const string Confirmed = "confirmed";
    public const string Contradicted = "contradicted";
    public const string NotFound = "not-found";
    public const string Unchecked = "unchecked";
    public const string Complete = "complete";
    public const string Pending = "pending";
    public const string Incomplete = "incomplete";
    public const string NotCollected = "not collected";

    /// <summary>The authenticity word, with the differing fields when contradicted.</summary>
    public static string Authenticity(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Authenticity == FindingAuthenticity.Contradicted
            ? $"{Contradicted} ({string.Join(", ", summary.Contradicted ?? [])})"
            : AuthenticityWord(summary.Authenticity);
    }

    /// <summary>The authenticity word alone, as in JSON.</summary>
    public static string AuthenticityWord(FindingAuthenticity? authenticity) => authenticity switch
    {
        FindingAuthenticity.Confirmed => Confirmed,
        FindingAuthenticity.Contradicted => Contradicted,
        FindingAuthenticity.NotFound => NotFound,
        _ => Unchecked,
    };

    /// <summary>"complete", "pending p2 (due 2026-…Z)" or "incomplete (audit-logs: failed for good: 403 …)".</summary>
    public static string Completeness(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var truncated = summary.Collectors.Where(c => c.Truncated).Select(c => c.Name).ToList();
        var capped = truncated.Count == 0 ? "" : $", truncated at its cap: {string.Join(", ", truncated)}";
        switch (summary.Completion)
        {
            case { State: Bundle.Completeness.Pending } pending:
                return $"{Pending} p{pending.NextPart?.ToString(CultureInfo.InvariantCulture) ?? "?"} (due {Time(pending.Due)}{capped})";
            case { State: Bundle.Completeness.Incomplete } incomplete:
                return $"{Incomplete} ({Grouped(incomplete.Missing.Select(m => (m.Collector, m.Reason)))}{capped})";
            case { State: Bundle.Completeness.Complete }:
                return truncated.Count == 0 ? Complete : $"{Complete} ({capped[2..]})";
        }

        // Entries from before parts existed state no completion: judged from their collectors.
        var lost = summary.Collectors.Where(c => c.Status != CollectorStatus.Ok).ToList();
        return lost.Count == 0 && truncated.Count == 0
            ? Complete
            : lost.Count == 0 ? $"{Complete} ({capped[2..]})" : $"{Incomplete} ({Grouped(lost.Select(c => (c.Name, Collector(c))))}{capped})";
    }

    // "audit-logs, cloud-run: not collected (no credentials); related-findings: failed for good: 403 …": one reason once.
    private static string Grouped(IEnumerable<(string Collector, string Reason)> missing) =>
        string.Join("; ", missing.GroupBy(m => m.Reason, StringComparer.Ordinal).Select(g => $"{string.Join(", ", g.Select(m => m.Collector))}: {g.Key}"));

    /// <summary>"pending p2", "incomplete", "complete": the completeness word without its detail, for a table cell.</summary>
    public static string CompletenessShort(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var full = Completeness(summary);
        var open = full.IndexOf(" (", StringComparison.Ordinal);
        return open < 0 ? full : full[..open];
    }

    /// <summary>The one state line: "authenticity; completeness".</summary>
    public static string Line(EvidenceSummary summary) => $"{Authenticity(summary)}; {Completeness(summary)}";

    /// <summary>"confirmed, complete" or "! not-found, pending p2": the list row's state, marked when not clean.</summary>
    public static string Cell(EvidenceSummary summary) =>
        $"{(IsClean(summary) ? "" : "! ")}{AuthenticityWord(summary.Authenticity)}, {CompletenessShort(summary)}";

    /// <summary>A confirmed finding with complete evidence, nothing truncated: the only state no view flags.</summary>
    public static bool IsClean(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Authenticity == FindingAuthenticity.Confirmed && Completeness(summary) == Complete;
    }

    /// <summary>The first line of every human view: the state words, and what they mean when something is wrong.</summary>
    public static string FirstLine(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var meaning = string.Join(" ", new[] { AuthenticityMeaning(summary), CompletenessMeaning(summary) }.OfType<string>());
        return $"State: {Line(summary)}." + (meaning.Length == 0 ? "" : " " + meaning);
    }

    /// <summary>What the authenticity means for the reader; null when confirmed.</summary>
    public static string? AuthenticityMeaning(EvidenceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Authenticity switch
        {
            FindingAuthenticity.Confirmed => null,
            FindingAuthenticity.Contradicted =>
                $"SCC's current copy of this finding differs from a notification in {string.Join(", ", summary.Contradicted ?? [])}: the notification may be forged or altered; the facts shown are SCC's.",
            FindingAuthenticity.NotFound =>
                "SCC holds no finding of this name: the notification may be forged (anyone who can publish to the topic can send one).",
            _ => "The finding could not be checked against SCC (see the scc-finding collector).",
        };
    }

    private static string? CompletenessMeaning(EvidenceSummary summary) => summary.Completion?.State switch
    {
        Bundle.Completeness.Pending => "A later part collects the rest.",
        Bundle.Completeness.Incomplete => "Nothing more will be collected, and the evidence named is missing.",
        _ => null,
    };

    /// <summary>One collector's outcome: "ok", "ok, truncated at its cap", "not collected (no credentials)", "failed (403 …)".</summary>
    public static string Collector(CollectorOutcome collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        var reason = string.IsNullOrEmpty(collector.Reason) ? "" : $" ({collector.Reason})";
        var capped = collector.Truncated ? ", truncated at its cap" : "";
        return collector.Status switch
        {
            CollectorStatus.Ok => $"ok{capped}{reason}",
            CollectorStatus.Partial => $"partial{capped}{reason}",
            CollectorStatus.Failed => $"failed{reason}",
            _ => $"{NotCollected}{reason}",
        };
    }

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "unknown";
}
