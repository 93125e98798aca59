namespace ReverseShellFunction.Cli;

/// <summary>The documented exit codes (README, "Command line").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>replay: an input was quarantined; verify: a mismatch or missing piece; get/show: not found.</summary>
    public const int Problem = 1;

    /// <summary>Bad command line, unreadable input file, bad configuration, or no access to the store.</summary>
    public const int Usage = 2;

    /// <summary>The store failed while writing: the same replay can be run again.</summary>
    public const int StoreFailure = 3;
}
