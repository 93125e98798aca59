namespace ReverseShellFunction.Cli;

/// <summary>The documented exit codes (docs/cli.md, "Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>Done; for verify: every bundle verified.</summary>
    public const int Ok = 0;

    /// <summary>
    /// replay: an input was quarantined. verify: a mismatch or a missing piece. get: a hash mismatch or an
    /// unsafe entry (nothing kept), or no such bundle. show: no such index entry. list: an unreadable index entry.
    /// </summary>
    public const int Problem = 1;

    /// <summary>
    /// Bad command line (including a malformed bundle id or time), unreadable input file, bad configuration,
    /// an output folder that is not empty, or no access to the store while reading it.
    /// </summary>
    public const int Usage = 2;

    /// <summary>The store failed while writing: the same replay can be run again.</summary>
    public const int StoreFailure = 3;
}
