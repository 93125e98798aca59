using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>Stored text (finding names, entry names) is attacker-influenced: messages show it escaped (<see cref="DisplayText"/>).</summary>
public static class AuditText
{
    public static string Clean(string? text, int maxLength = 300) => DisplayText.Visible(text, maxLength);
}
