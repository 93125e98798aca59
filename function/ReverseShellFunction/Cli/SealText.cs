using System.Globalization;
using System.Text;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary><c>show</c>'s custody lines: who sealed the part (key version) and when (the TSA's time), from the index entry.</summary>
internal static class SealText
{
    public static string Render(IndexEntry entry)
    {
        var text = new StringBuilder().AppendLine().AppendLine("Custody");
        if (entry.Seal is not { } seal)
        {
            Line(text, "Sealed by", "nobody: this part has no seal (unsigned)");
            return text.ToString();
        }

        Line(text, "Signature", seal.SignatureStatus);
        Line(text, "Sealed by", seal.KeyId ?? "-");
        Line(text, "Manifest sha256", seal.ManifestSha256);
        var time = seal.TimestampTime is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture) : null;
        Line(text, "Timestamp", time is null ? seal.Timestamp : $"{time} from {seal.TimestampAuthority ?? "-"}");
        Line(text, "Verify", "verify --public-key KEY.pem --tsa-cert TSA.pem " + entry.Summary.BundleId);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, string? value) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {label + ":",-18} {(string.IsNullOrEmpty(value) ? "-" : DisplayText.Visible(value, 2000))}");
}
