namespace ReverseShellFunction.Cli;

/// <summary>The documented exit codes (docs/cli.md, "Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>Done; for verify: every bundle verified.</summary>
    public const int Ok = 0;

    /// <summary>
    /// A problem in the data. replay: an input was quarantined. verify: a mismatch or a missing piece. get: a hash
    /// mismatch or an unsafe entry (nothing kept), or no such bundle. show: no such index entry. list: an unreadable
    /// index entry (the others are listed).
    /// </summary>
    public const int Problem = 1;

    /// <summary>
    /// Bad command line (unknown command or option, a malformed bundle id or time), unreadable input file, bad
    /// configuration, an output folder that is not empty, a store that does not exist, a folder that is not an
    /// evidence store (no index/ and no bundles/; an extracted case points to verify --extracted), or no access to
    /// the store while reading it.
    /// </summary>
    public const int Usage = 2;

    /// <summary>
    /// verify and get: every check that was made passed, but seals were NOT CHECKED: parts are signed (or
    /// timestamped) and no trusted key (or TSA certificate) was given. Give --public-key / --kms-key and --tsa-cert,
    /// or --hashes-only for a run that only wants the hashes (then 0).
    /// </summary>
    public const int NotChecked = 4;

    /// <summary>The store failed while writing: the same replay can be run again.</summary>
    public const int StoreFailure = 3;

    /// <summary>A bug: something no rule expected. The only case that prints a stack trace.</summary>
    public const int InternalError = 70;
}
