using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReverseShellFunction.Audit;

/// <summary>What is wrong with a bundle or its index entry. Serialized in kebab case in <c>verify --json</c>.</summary>
[JsonConverter(typeof(ProblemKindConverter))]
public enum ProblemKind
{
    NotFound,
    BundleMissing,
    IndexEntryMissing,
    IndexEntryUnreadable,
    IndexEntryWrong,
    BundleHashMismatch,
    BundleSizeMismatch,
    MetadataHashMismatch,
    MetadataHashMissing,
    NotAZip,
    UnsafePath,
    DuplicateEntry,
    ManifestMissing,
    ManifestUnreadable,
    FileMissing,
    FileExtra,
    FileHashMismatch,
    FileSizeMismatch,
    FileUnreadable,
    ManifestDisagrees,
    SummaryMissing,
    SummaryMismatch,
    UnexpectedObject,

    // Custody (Audit/SignatureCheck.cs).
    [JsonStringEnumMemberName("unsigned")]
    NotSigned,
    SignatureInvalid,
    SealMismatch,
    SealUnreadable,
    EnvelopeInvalid,
    TimestampInvalid,
    TimestampMissing,

    /// <summary>A temporary file an interrupted write left in the evidence folder (or a write in progress).</summary>
    TemporaryFile,

    /// <summary>A listed entry declares a size or compression ratio no bundle of this program has: refused unread.</summary>
    EntryTooLarge,

    /// <summary>The store failed while this object was read; the others are still checked.</summary>
    StoreReadFailed,

    /// <summary>The object could not be checked to the end, for a reason no other kind names.</summary>
    Unreadable,

    /// <summary>Part n is stored but part n−1 is not: the chain has a hole.</summary>
    PartMissing,

    /// <summary>Part n's record of part n−1 (object, SHA-256, number) is not what part n−1 is.</summary>
    ChainBroken,

    /// <summary>The bundle is still pending after its give-up time: nothing is completing it.</summary>
    PendingPastGiveUp,
}

/// <summary>Each kind by its name in kebab case (<c>FileHashMismatch</c> is <c>file-hash-mismatch</c>), unless the kind names another.</summary>
internal sealed class ProblemKindConverter() : JsonStringEnumConverter<ProblemKind>(JsonNamingPolicy.KebabCaseLower);
