using System.Text;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Tests.Support;

/// <summary>One top-level <c>variable</c> or <c>output</c> block of a .tf file: its top-level arguments and its whole text.</summary>
internal sealed record TerraformBlock(string Kind, string Name, IReadOnlyDictionary<string, string> Arguments, string Text)
{
    public string? Argument(string name) => Arguments.GetValueOrDefault(name);

    /// <summary>A string argument without its quotes and escapes, or a heredoc joined to one line.</summary>
    public string? Text1(string name) => Argument(name) is { } raw ? TerraformBlocks.Unquote(raw) : null;
}

/// <summary>
/// Just enough reading of Terraform's own files for the documentation and parity tests: top-level blocks of one
/// kind, their top-level arguments (one-line values and heredocs). Not a general HCL parser.
/// </summary>
internal static partial class TerraformBlocks
{
    public static IReadOnlyList<TerraformBlock> Read(string text, string kind)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<TerraformBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var header = BlockHeader().Match(lines[i]);
            if (!header.Success || header.Groups[1].Value != kind)
            {
                continue;
            }

            var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
            var body = new StringBuilder(lines[i]).Append('\n');
            var depth = 1;
            for (i++; i < lines.Length && depth > 0; i++)
            {
                var line = lines[i];
                body.Append(line).Append('\n');
                var argument = depth == 1 ? Argument().Match(line) : Match.Empty;
                if (argument.Success && argument.Groups[2].Value.StartsWith("<<", StringComparison.Ordinal))
                {
                    var marker = argument.Groups[2].Value.TrimStart('<', '-').Trim();
                    var heredoc = new List<string>();
                    while (++i < lines.Length && lines[i].Trim() != marker)
                    {
                        heredoc.Add(lines[i].Trim());
                        body.Append(lines[i]).Append('\n');
                    }

                    body.Append(lines[i]).Append('\n');
                    arguments[argument.Groups[1].Value] = "<<" + string.Join(' ', heredoc);
                    continue;
                }

                if (argument.Success)
                {
                    arguments[argument.Groups[1].Value] = argument.Groups[2].Value.Trim();
                }

                depth += Count(line, '{') - Count(line, '}');
            }

            i--;
            blocks.Add(new TerraformBlock(kind, header.Groups[2].Value, arguments, body.ToString()));
        }

        return blocks;
    }

    public static string Unquote(string raw)
    {
        if (raw.StartsWith("<<", StringComparison.Ordinal))
        {
            return raw[2..].Trim();
        }

        return raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"'
            ? raw[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
            : raw;
    }

    // Braces inside strings are balanced in this configuration ("${...}"), so counting them on the line is enough.
    private static int Count(string line, char c)
    {
        var n = 0;
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && !inString)
            {
                break;
            }

            if (line[i] == '"' && (i == 0 || line[i - 1] != '\\'))
            {
                inString = !inString;
            }

            if (line[i] == c && !inString)
            {
                n++;
            }
        }

        return n;
    }

    [GeneratedRegex("""^(variable|output)\s+"([^"]+)"\s*\{\s*$""")]
    private static partial Regex BlockHeader();

    [GeneratedRegex("""^\s*([a-z_]+)\s*=\s*(.+?)\s*$""")]
    private static partial Regex Argument();
}
