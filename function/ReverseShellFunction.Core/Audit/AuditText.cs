namespace ReverseShellFunction.Audit;

/// <summary>Stored text (finding names, entry names) is attacker-influenced: messages show it without control characters.</summary>
public static class AuditText
{
    public static string Clean(string? text, int maxLength = 300)
    {
        if (text is null)
        {
            return "";
        }

        var shown = new string([.. text.Take(maxLength).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > maxLength ? shown + "…" : shown;
    }
}
