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
}
