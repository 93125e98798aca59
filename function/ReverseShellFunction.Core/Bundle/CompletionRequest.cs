namespace ReverseShellFunction.Bundle;

/// <summary>What the completion endpoint receives, from Cloud Tasks or from the embedded runner.</summary>
public sealed record CompletionRequest(string BundleId, int Part);
