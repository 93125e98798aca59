namespace ReverseShellFunction.Audit;

/// <summary>
/// One thing wrong. <see cref="Message"/> stands alone: it names the bundle (or object), the file when there is
/// one, what was expected and what was found.
/// </summary>
public sealed record VerificationProblem(ProblemKind Kind, string? File, string? Expected, string? Found, string Message);
