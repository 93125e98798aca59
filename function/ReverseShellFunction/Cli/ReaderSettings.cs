using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary>
/// What the read-only commands (list, show, get, verify) read from the environment, and nothing more: where the
/// store is and how to log; KMS_KEY_VERSION and KMS_API_ENDPOINT only when a command trusts a Cloud KMS key. The
/// write side's settings (PORT, COMPLETION_URL, the collectors' limits, …) are never parsed, so a stray or wrong
/// one in a responder's shell cannot stop an audit.
/// </summary>
internal sealed class ReaderSettings
{
    // Read as FunctionSettings reads a variable (SettingsCatalog.Lookup: empty is unset, the value trimmed).
    private readonly Func<string, string?> _get;

    private ReaderSettings(Func<string, string?> get, string evidenceDir, string? evidenceBucket)
    {
        _get = get;
        EvidenceDir = evidenceDir;
        EvidenceBucket = evidenceBucket;
    }

    public string EvidenceDir { get; }

    public string? EvidenceBucket { get; }

    public string? StorageEmulatorHost => SettingsCatalog.StorageEmulatorHost.Text(_get);

    /// <summary>K_SERVICE set: log lines as Cloud Logging JSON, as the function does.</summary>
    public bool CloudLoggingJson => SettingsCatalog.KService.Text(_get) is not null;

    /// <summary>The store's variables, with the command line's --dir or --bucket over them.</summary>
    public static ReaderSettings From(Func<string, string?> lookup, string? dir, string? bucket)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var get = SettingsCatalog.Lookup(lookup);
        return dir is not null
            ? new ReaderSettings(get, dir, null)
            : new ReaderSettings(get, SettingsCatalog.EvidenceDir.Text(get)!, bucket ?? SettingsCatalog.EvidenceBucket.Text(get));
    }

    /// <summary>KMS_KEY_VERSION, read and checked only when a command is to trust its key.</summary>
    public string? KmsKeyVersion()
    {
        var version = SettingsCatalog.KmsKeyVersion.Text(_get);
        return CustodySettings.KmsKeyVersionProblem(version) is { } problem ? throw new UsageException(problem) : version;
    }

    /// <summary>KMS_API_ENDPOINT, read and checked only when public keys are fetched from Cloud KMS.</summary>
    public string KmsEndpoint()
    {
        try
        {
            return SettingsCatalog.KmsApiEndpoint.Endpoint(_get);
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
