namespace ReverseShellFunction.Audit;

/// <summary>How far a download or an extraction is, in bytes.</summary>
public sealed record TransferProgress(string Phase, long Done, long Total);
