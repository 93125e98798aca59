using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Rules;

/// <summary>Collect when the category is configured, the state is ACTIVE and the finding is not muted.</summary>
public sealed class CollectionRules(RulesOptions options)
{
    private readonly RulesOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    public RuleDecision Decide(SccFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var category = finding.Category?.Trim() ?? "";
        if (!_options.Categories.Any(wanted => string.Equals(wanted.Trim(), category, StringComparison.OrdinalIgnoreCase)))
        {
            return new RuleDecision(false, $"category '{category}' is not one of: {string.Join(", ", _options.Categories)}");
        }

        if (!string.Equals(finding.State, "ACTIVE", StringComparison.OrdinalIgnoreCase))
        {
            return new RuleDecision(false, $"state is '{finding.State ?? "(none)"}', not ACTIVE");
        }

        if (string.Equals(finding.Mute, "MUTED", StringComparison.OrdinalIgnoreCase) && !_options.CollectMuted)
        {
            return new RuleDecision(false, "the finding is muted and COLLECT_MUTED is off");
        }

        return new RuleDecision(true, $"category '{category}' is ACTIVE");
    }
}
