using ReverseShellFunction.Text;
namespace ReverseShellFunction.Bundle;

/// <summary>
/// The rule for paths inside a bundle: relative, '/'-separated segments of letters, digits, '.', '_' and '-',
/// no '.' or '..' segment, at most 200 characters. Used when writing and again when extracting, so a
/// tampered bundle cannot write outside the folder it is extracted to.
/// </summary>
public static class BundlePaths
{
    public const int MaxLength = 200;

    public static bool IsSafe(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength)
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == ".."
                || !segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static void EnsureSafe(string path)
    {
        if (!IsSafe(path))
        {
            throw new ArgumentException($"'{DisplayText.Visible(path, 100)}' is not a safe bundle path.", nameof(path));
        }
    }

    /// <summary>Makes a safe file name segment from hostile text such as a revision name.</summary>
    public static string Segment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = text.Take(100).Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }
}
