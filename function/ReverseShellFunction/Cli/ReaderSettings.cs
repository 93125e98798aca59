using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary>
/// What the read-only commands (list, show, get, verify) read from the environment, and nothing more: where the
/// store is and how to log; KMS_KEY_VERSION and KMS_API_ENDPOINT only when a command trusts a Cloud KMS key. The
/// write side's settings (PORT, COMPLETION_URL, the collectors' limits, …) are never parsed, so a stray or wrong
/// one in a responder's shell cannot stop an audit.
/// </summary>
/// <param name="get">Reads as FunctionSettings reads a variable (SettingsCatalog.Lookup: empty is unset, the value trimmed).</param>
internal sealed class ReaderSettings(Func<string, string?> get, string evidenceDir, string? evidenceBucket)
{
    public string EvidenceDir { get; } = evidenceDir;

    public string? EvidenceBucket { get; } = evidenceBucket;

    public string? StorageEmulatorHost => SettingsCatalog.StorageEmulatorHost.Text(get);

    /// <summary>K_SERVICE set: log lines as Cloud Logging JSON, as the function does.</summary>
    public bool CloudLoggingJson => SettingsCatalog.KService.Text(get) is not null;

    /// <summary>The store's variables, with the command line's --dir or --bucket over them.</summary>
    public static ReaderSettings From(Func<string, string?> lookup, string? dir, string? bucket)
    {
        var get = SettingsCatalog.Lookup(lookup);
        return dir is not null
            ? new ReaderSettings(get, dir, null)
            : new ReaderSettings(get, SettingsCatalog.EvidenceDir.Text(get)!, bucket ?? SettingsCatalog.EvidenceBucket.Text(get));
    }

    /// <summary>KMS_KEY_VERSION, read and checked only when a command is to trust its key.</summary>
    public string? KmsKeyVersion()
    {
        var version = SettingsCatalog.KmsKeyVersion.Text(get);
        return CustodySettings.KmsKeyVersionProblem(version) is { } problem ? throw new UsageException(problem) : version;
    }

    /// <summary>KMS_API_ENDPOINT, read and checked only when public keys are fetched from Cloud KMS.</summary>
    public string KmsEndpoint()
    {
        try
        {
            return SettingsCatalog.KmsApiEndpoint.Endpoint(get);
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
