namespace ReverseShellFunction.Audit;

/// <summary>One named check of a bundle, e.g. <c>sha256-index</c>, with what was compared.</summary>
public sealed record VerificationCheck(string Name, CheckOutcome Outcome, string Detail);
