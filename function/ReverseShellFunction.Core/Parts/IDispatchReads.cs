namespace ReverseShellFunction.Parts;

/// <summary>
/// The Cloud Logging reads one completion dispatch may send, its own part's and its siblings' together (the app's
/// log reader takes from it and refuses a read past it): a dispatch starts a fresh allowance, and starts no further
/// sibling once it is spent.
/// </summary>
public interface IDispatchReads
{
    /// <summary>Starts a fresh allowance for the calling async flow and everything it starts from now on.</summary>
    IReadAllowance Start();
}

/// <summary>A dispatch's Logging reads: how many it may send, and how many are left.</summary>
public interface IReadAllowance
{
    int Reads { get; }

    int Left { get; }
}
