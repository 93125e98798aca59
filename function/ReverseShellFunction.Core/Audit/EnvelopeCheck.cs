using System.Security.Cryptography;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The <c>envelope</c> check: the DSSE envelope and its in-toto statement against the part (manifest.json, its
/// files and the timestamp token as subjects), and the envelope's signature with the key manifest.sig verified with.
/// </summary>
internal static class EnvelopeCheck
{
    public static void Run(SignatureCheck.SealInput input, TrustedKey? key, string hex, VerificationLog log)
    {
        if (!input.Files.TryGetValue(BundleLayout.Entries.Envelope, out var bytes))
        {
            if (input.Files.ContainsKey(BundleLayout.Entries.Signature))
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the part is signed but has no {BundleLayout.Entries.Envelope}", BundleLayout.Entries.Envelope, "a DSSE envelope", "no entry");
                log.Check("envelope", CheckOutcome.Failed, "missing");
            }

            return;
        }

        var before = log.ProblemCount;
        try
        {
            var envelope = JsonSerializer.Deserialize<DsseEnvelope>(bytes) ?? throw new JsonException("null envelope");
            if (envelope.PayloadType != DsseEnvelope.InTotoPayloadType)
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the envelope's payloadType is '{DisplayText.Visible(envelope.PayloadType, 100)}', expected {DsseEnvelope.InTotoPayloadType}", BundleLayout.Entries.Envelope);
            }

            var payload = Convert.FromBase64String(envelope.Payload ?? "");
            var statement = JsonSerializer.Deserialize<InTotoStatement>(payload) ?? throw new JsonException("null statement");
            if (statement.Type != InTotoStatement.StatementType || statement.PredicateType != InTotoStatement.CustodyPredicateType)
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement is not an in-toto Statement v1 with predicate {InTotoStatement.CustodyPredicateType}", BundleLayout.Entries.Envelope);
            }

            CompareSubjects(statement, input, hex, log);
            if (key is not null)
            {
                var pae = SHA256.HashData(DsseEnvelope.PreAuthenticationEncoding(envelope.PayloadType ?? "", payload));
                if (!(envelope.Signatures ?? []).Any(s => ManifestSignatureCheck.Verifies(key.Key, pae, Base64OrEmpty(s.Sig))))
                {
                    log.Problem(ProblemKind.EnvelopeInvalid, $"no signature of the DSSE envelope verifies with {key.Source}", BundleLayout.Entries.Envelope);
                }
            }

            log.Outcome("envelope", before, key is null
                ? $"in-toto statement over {statement.Subject.Count} subjects; envelope signature not checked (no verified key)"
                : $"in-toto statement over {statement.Subject.Count} subjects ({BundleLayout.Entries.Manifest}, its files, the token), DSSE signature verified");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or NullReferenceException)
        {
            log.Problem(ProblemKind.EnvelopeInvalid, $"{BundleLayout.Entries.Envelope} is not a readable DSSE envelope with an in-toto statement: {DisplayText.Visible(ex.Message)}", BundleLayout.Entries.Envelope);
            log.Check("envelope", CheckOutcome.Failed, "unreadable");
        }
    }

    private static byte[] Base64OrEmpty(string? text)
    {
        try
        {
            return Convert.FromBase64String(text ?? "");
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static void CompareSubjects(InTotoStatement statement, SignatureCheck.SealInput input, string hex, VerificationLog log)
    {
        var manifest = input.Manifest;
        var expected = new Dictionary<string, string>(StringComparer.Ordinal) { [BundleLayout.Entries.Manifest] = hex };

        // The token is named in the signed statement, so its unsigned CMS parts cannot change unseen either.
        if (input.Files.TryGetValue(BundleLayout.Entries.Timestamp, out var token))
        {
            expected[BundleLayout.Entries.Timestamp] = Convert.ToHexStringLower(SHA256.HashData(token));
        }

        // A hostile manifest may lack paths or hashes; the file checks report that, here it must not crash.
        foreach (var file in (manifest?.Files ?? []).Where(f => f?.Path is not null))
        {
            expected.TryAdd(file.Path, file.Sha256?.ToLowerInvariant() ?? "");
        }

        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var subject in statement.Subject ?? [])
        {
            var value = subject.Digest?.GetValueOrDefault("sha256") ?? "";
            if (!found.TryAdd(subject.Name ?? "", value.ToLowerInvariant()))
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement lists subject {DisplayText.Visible(subject.Name)} twice", BundleLayout.Entries.Envelope);
            }
        }

        foreach (var (name, sha) in expected)
        {
            if (!found.TryGetValue(name, out var other))
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement has no subject {name}", BundleLayout.Entries.Envelope, sha, "no subject");
            }
            else if (other != sha)
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement gives {name} sha256 {DisplayText.Visible(other, 80)}, the part has {sha}", BundleLayout.Entries.Envelope, sha, DisplayText.Visible(other, 80));
            }
        }

        foreach (var name in found.Keys.Where(n => !expected.ContainsKey(n)))
        {
            log.Problem(ProblemKind.EnvelopeInvalid, $"the statement names subject {DisplayText.Visible(name)}, which the part does not have", BundleLayout.Entries.Envelope);
        }
    }
}
