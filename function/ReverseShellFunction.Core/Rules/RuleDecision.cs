namespace ReverseShellFunction.Rules;

/// <summary>The rules' verdict on one finding, with the reason a log line and the HTTP answer report.</summary>
public sealed record RuleDecision(bool Collect, string Reason);
