namespace ReverseShellFunction.Cli;

/// <summary>A command line or configuration the program cannot run with: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
