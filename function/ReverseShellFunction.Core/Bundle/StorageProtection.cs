namespace ReverseShellFunction.Bundle;

/// <summary>
/// What protected the store's objects when a part was sealed, as read then: the bucket's retention policy
/// (period, locked or not), default event-based hold, object retention mode and default encryption key; or,
/// for a folder, that nothing but file permissions does. Recorded in the manifest, so it is signed.
/// </summary>
public sealed record StorageProtection
{
    /// <summary><c>gs://bucket</c> or the folder's path.</summary>
    public required string Store { get; init; }

    public long? RetentionPeriodSeconds { get; init; }

    public bool? RetentionLocked { get; init; }

    public DateTimeOffset? RetentionEffectiveTime { get; init; }

    public bool? DefaultEventBasedHold { get; init; }

    /// <summary><c>Enabled</c> when the bucket allows per-object retention; null when it does not say.</summary>
    public string? ObjectRetentionMode { get; init; }

    public string? DefaultKmsKeyName { get; init; }

    /// <summary>Plain words for a person, e.g. what a folder does and does not guarantee.</summary>
    public string? Note { get; init; }

    /// <summary>Why the settings could not be read; the other fields are then null.</summary>
    public string? ReadError { get; init; }

    /// <summary>When the settings were read: one reading serves the parts sealed in the following minute.</summary>
    public DateTimeOffset? ReadAt { get; init; }
}

/// <summary>Reads <see cref="StorageProtection"/> for the configured store.</summary>
public interface IStorageProtectionReader
{
    /// <summary>Never throws for a store failure: the reason goes into <see cref="StorageProtection.ReadError"/>.</summary>
    Task<StorageProtection> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The evidence folder: no retention policy, holds or keys exist; says so.</summary>
public sealed class LocalStorageProtection(string folder) : IStorageProtectionReader
{
    public Task<StorageProtection> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(new StorageProtection
    {
        Store = Path.GetFullPath(folder),
        Note = "local folder: files are created once and made read-only, but no retention policy, hold or managed key protects them; "
            + "anyone who can write the folder can replace them, which only the signature reveals",
    });
}
