using System.Globalization;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Report;

/// <summary>
/// summary.html's custody box: what is known of the part's seal when the page is written, and where the rest is. The
/// part's own SHA-256 cannot be in a file inside it (the hash covers the file); the index entry, the object's
/// metadata, the next part's link and verify's output carry it.
/// </summary>
internal static class CustodyBox
{
    public static ReportSection Of(EvidenceSummary summary, PartCustody custody)
    {
        var rows = new List<ReportRow>
        {
            new("Part", new ReportValue([ReportSpan.Text($"{custody.Part.ToString(CultureInfo.InvariantCulture)} of bundle "), ReportSpan.Code(summary.BundleId)])),
            new("Signature", !custody.Sealed
                ? ReportValue.Of("none: this part is not sealed (custody is off)")
                : custody.SignerKeyId is null
                    ? ReportValue.Of("unsigned: no KMS_KEY_VERSION or SIGNING_KEY_FILE configured")
                    : new ReportValue([
                        ReportSpan.Text("to be signed with "),
                        ReportSpan.Code(custody.SignerKeyId),
                        ReportSpan.Text($" (ECDSA P-256) over the SHA-256 of {BundleLayout.Entries.Manifest}, after this page was written; whether it was is in "),
                        ReportSpan.Code(BundleLayout.Entries.SealRecord),
                        ReportSpan.Text(" and the index entry"),
                    ])),
            new("Timestamp", !custody.Sealed || custody.TimestampAuthority is null
                ? ReportValue.Of("not requested (no TSA_URL configured)")
                : new ReportValue([
                    ReportSpan.Text("RFC 3161 token over the same digest, asked of "),
                    ReportSpan.Code(custody.TimestampAuthority),
                    ReportSpan.Text(", in "),
                    ReportSpan.Code(BundleLayout.Entries.Timestamp),
                ])),
            new("This page's SHA-256", new ReportValue([
                ReportSpan.Text("listed in "),
                ReportSpan.Code(BundleLayout.Entries.Manifest),
                ReportSpan.Text(" with every other file of the part (a file cannot hold its own hash)"),
            ])),
            new("This part's SHA-256", new ReportValue([
                ReportSpan.Text("not in this page: the part's zip holds the page, so its hash is computed after it. It is in the index entry ("),
                ReportSpan.Code("bundle.sha256"),
                ReportSpan.Text("), the stored object's metadata, the next part's link and what "),
                ReportSpan.Code("rsf verify"),
                ReportSpan.Text(" prints"),
            ])),
            new("Previous part", custody.Previous is { } previous
                ? new ReportValue([
                    ReportSpan.Text($"part {previous.Part.ToString(CultureInfo.InvariantCulture)}, "),
                    ReportSpan.Code(previous.ObjectName),
                    ReportSpan.Text(", SHA-256 "),
                    ReportSpan.Code(previous.Sha256),
                    ReportSpan.Text($" (also in {BundleLayout.Entries.Manifest}: the hash chain)"),
                ])
                : ReportValue.Of(custody.Part == 1 ? "none: this is part 1" : "not recorded")),
            new("How to verify", new ReportValue([
                ReportSpan.Code($"rsf verify {summary.BundleId} --public-key KEY.pem"),
                ReportSpan.Text(" (or "),
                ReportSpan.Code("--kms-key NAME"),
                ReportSpan.Text(") checks every part's hashes against the index and the object metadata, and each seal; "),
                ReportSpan.Code($"rsf get {summary.BundleId}"),
                ReportSpan.Text(" downloads the parts into a case folder, checking each file against its manifest."),
            ])),
        };
        return new ReportSection("Custody of this part", [new ReportFacts(rows)], "custody");
    }
}
