namespace ReverseShellFunction.Audit;

/// <summary>
/// A stored object that does not read as its type (invalid JSON, a required member missing, <c>"summary": null</c>):
/// stored evidence for a person to look at, never a bug. It names the object, so whoever reports it says which one.
/// </summary>
/// <param name="what">What the object is, as a reader says it ("index entry").</param>
public sealed class UnreadableObjectException(string what, string objectName, string problem, Exception? innerException = null)
    : Exception($"{what} {objectName} is unreadable: {problem}", innerException)
{
    public string ObjectName { get; } = objectName;

    /// <summary>What is wrong with it, without its name.</summary>
    public string Problem { get; } = problem;
}
