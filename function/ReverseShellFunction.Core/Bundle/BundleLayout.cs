using System.Globalization;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// The one home of the evidence layout, shared by the folder and the bucket, every writer and every reader.
/// </summary>
/// <remarks>
/// <para>Objects (dates are the event's, UTC; ids start with the event time, so a lexical listing is in time order):</para>
/// <list type="bullet">
/// <item><c>bundles/YYYY/MM/DD/{id}.zip</c> and <c>index/YYYY/MM/DD/{id}.json</c>: part 1, collected at delivery.</item>
/// <item><c>bundles/YYYY/MM/DD/{id}.part-{n}.zip</c> and <c>index/…/{id}.part-{n}.json</c>: part n ≥ 2, collected at a
/// completion. Part n's manifest records part n−1's object name and SHA-256: the parts form a hash chain.</item>
/// <item><c>pending/YYYY/MM/DD/{id}.part-{n}.json</c>: the embedded default's durable record that part n is due
/// (<c>PendingRecord</c>). Written create-only and never deleted (WORM-safe): it is done once
/// part n's index entry exists.</item>
/// <item><c>quarantine/YYYY/MM/DD/{receivedAt}-{sha256 prefix}-{nonce}.json</c> (date of receipt).</item>
/// <item><c>claims/YYYY/MM/DD/{id}.claim-{g}.json</c>: the lease of the delivery collecting part 1, and
/// <c>claims/…/{id}.part-{n}.claim-{g}.json</c> the lease of the completion collecting part n
/// (<c>DeliveryClaim</c>); generation g + 1 takes over an expired lease. Create-only, never deleted.</item>
/// </list>
/// <para>Entries inside every part are named in <see cref="Entries"/>.</para>
/// </remarks>
public static class BundleLayout
{
    public const string BundlesPrefix = "bundles/";
    public const string IndexPrefix = "index/";
    public const string PendingPrefix = "pending/";
    public const string QuarantinePrefix = "quarantine/";
    public const string ClaimsPrefix = "claims/";

    /// <summary>How a folder store names a file it is still writing (renamed or linked into place when whole); never evidence.</summary>
    public const string TemporaryPrefix = ".tmp-";

    /// <summary>The names of the entries a part's zip holds, whoever writes or reads them.</summary>
    public static class Entries
    {
        /// <summary>Every other file with its size and SHA-256, the collectors' reports, and the link to the previous part.</summary>
        public const string Manifest = "manifest.json";

        /// <summary>The facts a responder needs first; the index entry embeds it unchanged.</summary>
        public const string Summary = "summary.json";

        public const string SummaryMarkdown = "summary.md";
        public const string SummaryHtml = "summary.html";
        public const string Timeline = "timeline.jsonl";

        /// <summary>The SCC notification exactly as delivered; part 1 only (completions read it from there).</summary>
        public const string Notification = "notification.json";

        /// <summary>How the notification arrived (push or CloudEvent, ids, times); part 1 only.</summary>
        public const string Delivery = "delivery.json";

        /// <summary>SCC's related findings: the query, each result verbatim, the totals.</summary>
        public const string RelatedFindings = "related-findings.json";

        /// <summary>The workload's own log entries around the event, verbatim.</summary>
        public const string ContainerLogs = "logs/container.jsonl";

        /// <summary>Cloud Audit Logs about the workload before the event (who deployed or changed it).</summary>
        public const string AuditLogs = "logs/audit.jsonl";

        /// <summary>What the Cloud Run Admin API said about the workload: the service or job, its revisions or executions.</summary>
        public const string CloudRunFolder = "cloud-run/";

        public const string CloudRunService = CloudRunFolder + "service.json";
        public const string CloudRunJob = CloudRunFolder + "job.json";

        /// <summary>One revision or execution of the workload, by its (path-safe) name.</summary>
        public static string CloudRunChild(string children, string segment) => $"{CloudRunFolder}{children}/{segment}.json";

        /// <summary>SCC's answer about the finding: the query, the verdict, the differences, SCC's finding and resource.</summary>
        public const string SccFinding = "scc/finding.json";

        /// <summary>DER ECDSA signature over SHA-256(manifest.json): <c>openssl dgst -sha256 -verify</c> checks it.</summary>
        public const string Signature = "manifest.sig";

        /// <summary>RFC 3161 timestamp token (CMS SignedData) over SHA-256(manifest.json): <c>openssl ts -verify -token_in</c>.</summary>
        public const string Timestamp = "manifest.tsr";

        /// <summary>DSSE envelope holding an in-toto Statement v1 whose subjects are manifest.json and every file it lists.</summary>
        public const string Envelope = "manifest.dsse.json";

        /// <summary>What was sealed, by which key, and how the timestamp request went (also in the index entry).</summary>
        public const string SealRecord = "manifest.seal.json";

        /// <summary>
        /// The entries that seal a part. They sit beside manifest.json and are deliberately not listed in it: each is
        /// computed from the manifest's exact bytes, so the manifest cannot name them.
        /// </summary>
        public static IReadOnlyList<string> Seals { get; } = [Signature, Timestamp, Envelope, SealRecord];

        public static bool IsSeal(string path) => Seals.Contains(path, StringComparer.Ordinal);

        /// <summary>Timeline chunk <paramref name="number"/>: the first is <see cref="Timeline"/>, then <c>timeline-2.jsonl</c>, ….</summary>
        public static string TimelineChunk(int number) =>
            number == 1 ? Timeline : $"timeline-{number.ToString(CultureInfo.InvariantCulture)}.jsonl";
    }

    /// <summary>Between a bundle id and its part number in every object name of part n ≥ 2.</summary>
    public const string PartSeparator = ".part-";

    /// <summary>How a bundle part's object (and a downloaded copy) ends.</summary>
    public const string BundleExtension = ".zip";

    public static string BundleObject(BundleId id) => $"{BundlesPrefix}{DatePath(id.EventTime)}/{id.ObjectStem}{BundleExtension}";

    public static string IndexObject(BundleId id) => $"{IndexPrefix}{DatePath(id.EventTime)}/{id.ObjectStem}.json";

    /// <summary>The pending record saying that part <see cref="BundleId.Part"/> (≥ 2) of the bundle is due.</summary>
    public static string PendingObject(BundleId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(id.Part, 2);
        return $"{PendingPrefix}{DatePath(id.EventTime)}/{id.ObjectStem}.json";
    }

    /// <summary>The lease of generation <paramref name="generation"/> (≥ 1) on collecting part <see cref="BundleId.Part"/> of the bundle.</summary>
    public static string ClaimObject(BundleId id, int generation)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        return $"{ClaimsPrefix}{DatePath(id.EventTime)}/{id.ObjectStem}.claim-{generation.ToString(CultureInfo.InvariantCulture)}.json";
    }

    /// <param name="nonce">Hex digits unique to the delivery: two deliveries of one body in one millisecond get two records.</param>
    public static string QuarantineObject(DateTimeOffset receivedAt, string bodySha256, string nonce)
    {
        ArgumentNullException.ThrowIfNull(bodySha256);
        ArgumentNullException.ThrowIfNull(nonce);
        if (bodySha256.Length < 32 || !bodySha256.All(char.IsAsciiHexDigit) || nonce.Length is 0 or > 32 || !nonce.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("The body hash and the nonce must be hex digits.");
        }

        return $"{QuarantinePrefix}{DatePath(receivedAt)}/{receivedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{bodySha256[..32]}-{nonce}.json";
    }

    /// <summary>
    /// The quarantine object a record's id names: the id is the object's file name without <c>.json</c>
    /// (<c>yyyyMMddTHHmmssfffZ-HASH32-NONCE</c>, in any case), or the object name itself. Null for anything else.
    /// </summary>
    public static string? QuarantineObjectFor(string idOrName)
    {
        ArgumentNullException.ThrowIfNull(idOrName);
        var stem = idOrName.StartsWith(QuarantinePrefix, StringComparison.Ordinal) && idOrName.EndsWith(".json", StringComparison.Ordinal)
            ? idOrName[(idOrName.LastIndexOf('/') + 1)..^".json".Length]
            : idOrName.Trim().ToLowerInvariant().Replace('t', 'T').Replace('z', 'Z');
        var parts = stem.Split('-');
        if (parts.Length != 3 || parts[1].Length != 32 || parts[2].Length is 0 or > 32
            || !parts[1].All(char.IsAsciiHexDigitLower) || !parts[2].All(char.IsAsciiHexDigitLower)
            || !DateTimeOffset.TryParseExact(parts[0], "yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var received))
        {
            return null;
        }

        var name = $"{QuarantinePrefix}{DatePath(received)}/{stem}.json";
        return idOrName.StartsWith(QuarantinePrefix, StringComparison.Ordinal) && name != idOrName ? null : name;
    }

    /// <summary>A quarantine record's id: its object's file name without <c>.json</c>.</summary>
    public static string QuarantineId(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        var file = objectName[(objectName.LastIndexOf('/') + 1)..];
        return file.EndsWith(".json", StringComparison.Ordinal) ? file[..^".json".Length] : file;
    }

    /// <summary>The part an index, bundle or pending object name stands for, if it has exactly the expected shape.</summary>
    public static BundleId? IdFromObjectName(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        var (prefix, extension) = objectName.StartsWith(IndexPrefix, StringComparison.Ordinal) ? (IndexPrefix, ".json")
            : objectName.StartsWith(BundlesPrefix, StringComparison.Ordinal) ? (BundlesPrefix, BundleExtension)
            : objectName.StartsWith(PendingPrefix, StringComparison.Ordinal) ? (PendingPrefix, ".json")
            : (null, null);
        if (prefix is null || !objectName.EndsWith(extension!, StringComparison.Ordinal))
        {
            return null;
        }

        var stem = objectName[(objectName.LastIndexOf('/') + 1)..^extension!.Length];
        if (!BundleId.TryParseStem(stem, out var id) || (prefix == PendingPrefix && id.Part < 2))
        {
            return null;
        }

        var expected = prefix == IndexPrefix ? IndexObject(id) : prefix == BundlesPrefix ? BundleObject(id) : PendingObject(id);
        return objectName == expected ? id : null;
    }

    private static string DatePath(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture);
}
