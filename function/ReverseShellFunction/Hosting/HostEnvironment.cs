using ReverseShellFunction.Infrastructure.GoogleApis.Auth;

namespace ReverseShellFunction.Hosting;

/// <summary>
/// What the program reads from the machine it runs on: environment variables and the local hints of where
/// Google credentials live. Production uses <see cref="Process"/>; tests pass their own, so no test reads the
/// real environment or finds a developer's credentials.
/// </summary>
public sealed record HostEnvironment(Func<string, string?> Variable, CredentialEnvironment Credentials)
{
    public static HostEnvironment Process { get; } = new(Environment.GetEnvironmentVariable, CredentialEnvironment.System)
    {
        TerminalColumns = ConsoleColumns,
    };

    /// <summary>The width of the terminal standard output is, or null when it is not a terminal (a pipe, a file, a test).</summary>
    public Func<int?> TerminalColumns { get; init; } = static () => null;

    /// <summary>Only these variables, and no credential files: what tests use.</summary>
    public static HostEnvironment Isolated(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return new HostEnvironment(variable, new CredentialEnvironment(variable, _ => false, _ => null));
    }

    private static int? ConsoleColumns()
    {
        if (Console.IsOutputRedirected)
        {
            return null;
        }

        try
        {
            return Console.WindowWidth is > 0 and var columns ? columns : null;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }
}
