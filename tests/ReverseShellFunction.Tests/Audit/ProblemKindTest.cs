using System.Text.Json;
using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Tests.Audit;

/// <summary>
/// verify --json names each problem kind; auditors' scripts match on those words. The words come from the members'
/// names through a naming policy, so a renamed member would change them: every word is pinned here.
/// </summary>
public sealed class ProblemKindTest
{
    private static readonly Dictionary<ProblemKind, string> s_words = new()
    {
        [ProblemKind.NotFound] = "not-found",
        [ProblemKind.BundleMissing] = "bundle-missing",
        [ProblemKind.IndexEntryMissing] = "index-entry-missing",
        [ProblemKind.IndexEntryUnreadable] = "index-entry-unreadable",
        [ProblemKind.IndexEntryWrong] = "index-entry-wrong",
        [ProblemKind.BundleHashMismatch] = "bundle-hash-mismatch",
        [ProblemKind.BundleSizeMismatch] = "bundle-size-mismatch",
        [ProblemKind.MetadataHashMismatch] = "metadata-hash-mismatch",
        [ProblemKind.MetadataHashMissing] = "metadata-hash-missing",
        [ProblemKind.NotAZip] = "not-a-zip",
        [ProblemKind.UnsafePath] = "unsafe-path",
        [ProblemKind.DuplicateEntry] = "duplicate-entry",
        [ProblemKind.ManifestMissing] = "manifest-missing",
        [ProblemKind.ManifestUnreadable] = "manifest-unreadable",
        [ProblemKind.FileMissing] = "file-missing",
        [ProblemKind.FileExtra] = "file-extra",
        [ProblemKind.FileHashMismatch] = "file-hash-mismatch",
        [ProblemKind.FileSizeMismatch] = "file-size-mismatch",
        [ProblemKind.FileUnreadable] = "file-unreadable",
        [ProblemKind.ManifestDisagrees] = "manifest-disagrees",
        [ProblemKind.SummaryMissing] = "summary-missing",
        [ProblemKind.SummaryMismatch] = "summary-mismatch",
        [ProblemKind.UnexpectedObject] = "unexpected-object",
        [ProblemKind.NotSigned] = "unsigned",
        [ProblemKind.SignatureInvalid] = "signature-invalid",
        [ProblemKind.SealMismatch] = "seal-mismatch",
        [ProblemKind.SealUnreadable] = "seal-unreadable",
        [ProblemKind.EnvelopeInvalid] = "envelope-invalid",
        [ProblemKind.TimestampInvalid] = "timestamp-invalid",
        [ProblemKind.TimestampMissing] = "timestamp-missing",
        [ProblemKind.TemporaryFile] = "temporary-file",
        [ProblemKind.EntryTooLarge] = "entry-too-large",
        [ProblemKind.StoreReadFailed] = "store-read-failed",
        [ProblemKind.Unreadable] = "unreadable",
        [ProblemKind.PartMissing] = "part-missing",
        [ProblemKind.ChainBroken] = "chain-broken",
        [ProblemKind.PendingPastGiveUp] = "pending-past-give-up",
    };

    [Fact]
    public void EveryKind_IsWrittenAndReadAsItsPinnedWord()
    {
        Assert.Equal(Enum.GetValues<ProblemKind>().Order(), s_words.Keys.Order());
        foreach (var (kind, word) in s_words)
        {
            Assert.Equal($"\"{word}\"", JsonSerializer.Serialize(kind));
            Assert.Equal(kind, JsonSerializer.Deserialize<ProblemKind>($"\"{word}\""));
        }
    }
}
