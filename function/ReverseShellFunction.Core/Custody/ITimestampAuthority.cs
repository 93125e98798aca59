namespace ReverseShellFunction.Custody;

/// <summary>An RFC 3161 time-stamping authority: proof from a third party that a digest existed at a time.</summary>
public interface ITimestampAuthority
{
    /// <summary>Where the authority is, for the seal record (a URL).</summary>
    string Location { get; }

    /// <summary>A timestamp token over <paramref name="sha256"/>, checked against the request before it is returned.</summary>
    /// <exception cref="TimestampException">No usable token: the message is the reason the seal records.</exception>
    Task<TimestampToken> StampAsync(byte[] sha256, CancellationToken cancellationToken);
}

/// <summary>The DER token (CMS SignedData) and the time the authority put in it.</summary>
public sealed record TimestampToken(byte[] Der, DateTimeOffset Time, string Authority);

/// <summary>A timestamp could not be had; the message is short and safe to store.</summary>
public sealed class TimestampException(string message, Exception? innerException = null) : Exception(message, innerException);
