namespace ReverseShellFunction.Store;

/// <summary>
/// The store cannot even be set up (a bucket without credentials, a folder path that is a file): a
/// configuration error for a person to fix, not a failure to retry. Commands exit 2; <c>serve</c> does not start.
/// </summary>
public sealed class EvidenceStoreConfigurationException(string message, Exception? innerException = null)
    : Exception(message, innerException);
