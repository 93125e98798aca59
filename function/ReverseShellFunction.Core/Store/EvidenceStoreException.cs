namespace ReverseShellFunction.Store;

/// <summary>The store failed; the edge answers 5xx so the platform redelivers.</summary>
public class EvidenceStoreException : Exception
{
    public EvidenceStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The object asked for does not exist.</summary>
public sealed class EvidenceNotFoundException : EvidenceStoreException
{
    public EvidenceNotFoundException(string objectName)
        : base($"No object '{objectName}' in the store.")
    {
        ObjectName = objectName;
    }

    public string ObjectName { get; }
}
