using System.Text.Json.Serialization;

namespace ReverseShellFunction.Audit;

/// <summary>What is wrong with a bundle or its index entry. Serialized in kebab case in <c>verify --json</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProblemKind>))]
public enum ProblemKind
{
    [JsonStringEnumMemberName("not-found")]
    NotFound,

    [JsonStringEnumMemberName("bundle-missing")]
    BundleMissing,

    [JsonStringEnumMemberName("index-entry-missing")]
    IndexEntryMissing,

    [JsonStringEnumMemberName("index-entry-unreadable")]
    IndexEntryUnreadable,

    [JsonStringEnumMemberName("index-entry-wrong")]
    IndexEntryWrong,

    [JsonStringEnumMemberName("bundle-hash-mismatch")]
    BundleHashMismatch,

    [JsonStringEnumMemberName("bundle-size-mismatch")]
    BundleSizeMismatch,

    [JsonStringEnumMemberName("metadata-hash-mismatch")]
    MetadataHashMismatch,

    [JsonStringEnumMemberName("metadata-hash-missing")]
    MetadataHashMissing,

    [JsonStringEnumMemberName("not-a-zip")]
    NotAZip,

    [JsonStringEnumMemberName("unsafe-path")]
    UnsafePath,

    [JsonStringEnumMemberName("duplicate-entry")]
    DuplicateEntry,

    [JsonStringEnumMemberName("manifest-missing")]
    ManifestMissing,

    [JsonStringEnumMemberName("manifest-unreadable")]
    ManifestUnreadable,

    [JsonStringEnumMemberName("file-missing")]
    FileMissing,

    [JsonStringEnumMemberName("file-extra")]
    FileExtra,

    [JsonStringEnumMemberName("file-hash-mismatch")]
    FileHashMismatch,

    [JsonStringEnumMemberName("file-size-mismatch")]
    FileSizeMismatch,

    [JsonStringEnumMemberName("file-unreadable")]
    FileUnreadable,

    [JsonStringEnumMemberName("manifest-disagrees")]
    ManifestDisagrees,

    [JsonStringEnumMemberName("summary-missing")]
    SummaryMissing,

    [JsonStringEnumMemberName("summary-mismatch")]
    SummaryMismatch,

    [JsonStringEnumMemberName("unexpected-object")]
    UnexpectedObject,

    // Custody (Audit/SignatureCheck.cs).
    [JsonStringEnumMemberName("unsigned")]
    NotSigned,

    [JsonStringEnumMemberName("signature-invalid")]
    SignatureInvalid,

    [JsonStringEnumMemberName("seal-mismatch")]
    SealMismatch,

    [JsonStringEnumMemberName("seal-unreadable")]
    SealUnreadable,

    [JsonStringEnumMemberName("envelope-invalid")]
    EnvelopeInvalid,

    [JsonStringEnumMemberName("timestamp-invalid")]
    TimestampInvalid,

    [JsonStringEnumMemberName("timestamp-missing")]
    TimestampMissing,

    /// <summary>A temporary file an interrupted write left in the evidence folder (or a write in progress).</summary>
    [JsonStringEnumMemberName("temporary-file")]
    TemporaryFile,

    /// <summary>A listed entry declares a size or compression ratio no bundle of this program has: refused unread.</summary>
    [JsonStringEnumMemberName("entry-too-large")]
    EntryTooLarge,

    /// <summary>The store failed while this object was read; the others are still checked.</summary>
    [JsonStringEnumMemberName("store-read-failed")]
    StoreReadFailed,

    /// <summary>The object could not be checked to the end, for a reason no other kind names.</summary>
    [JsonStringEnumMemberName("unreadable")]
    Unreadable,

    /// <summary>Part n is stored but part n−1 is not: the chain has a hole.</summary>
    [JsonStringEnumMemberName("part-missing")]
    PartMissing,

    /// <summary>Part n's record of part n−1 (object, SHA-256, number) is not what part n−1 is.</summary>
    [JsonStringEnumMemberName("chain-broken")]
    ChainBroken,

    /// <summary>The bundle is still pending after its give-up time: nothing is completing it.</summary>
    [JsonStringEnumMemberName("pending-past-give-up")]
    PendingPastGiveUp,
}
