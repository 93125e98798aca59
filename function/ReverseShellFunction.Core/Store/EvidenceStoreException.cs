namespace ReverseShellFunction.Store;

/// <summary>The store failed; the edge answers 5xx so the platform redelivers.</summary>
public class EvidenceStoreException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>The object asked for does not exist.</summary>
public sealed class EvidenceNotFoundException(string objectName)
    : EvidenceStoreException($"No object '{objectName}' in the store.")
{
    public string ObjectName { get; } = objectName;
}
