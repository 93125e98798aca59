using System.Text;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Splits an SCC or Cloud Logging filter into words, quoted strings, operators and parentheses.</summary>
internal static class FakeFilterTokenizer
{
    public static List<FilterToken> Tokenize(string filter)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < filter.Length)
        {
            var c = filter[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(new FilterToken(FilterTokenKind.Punctuation, c.ToString()));
                i++;
            }
            else if (c == '"')
            {
                tokens.Add(new FilterToken(FilterTokenKind.String, ReadString(filter, ref i)));
            }
            else if (c is '=' or ':' or '<' or '>' or '!')
            {
                var op = i + 1 < filter.Length && filter[i + 1] == '=' ? filter.Substring(i, 2) : c.ToString();
                if (op == "!")
                {
                    throw new FakeFilterException($"Unexpected '!' at {i}.");
                }

                tokens.Add(new FilterToken(FilterTokenKind.Operator, op));
                i += op.Length;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '+' or '@' or '/' or '%' or '*')
            {
                var start = i;
                while (i < filter.Length && (char.IsAsciiLetterOrDigit(filter[i]) || filter[i] is '_' or '.' or '-' or '+' or '@' or '/' or '%' or '*'))
                {
                    i++;
                }

                tokens.Add(new FilterToken(FilterTokenKind.Word, filter[start..i]));
            }
            else
            {
                throw new FakeFilterException($"Unexpected character '{c}' at {i}.");
            }
        }

        return tokens;
    }

    private static string ReadString(string filter, ref int i)
    {
        var text = new StringBuilder();
        for (i++; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c == '"')
            {
                i++;
                return text.ToString();
            }

            if (c == '\\')
            {
                if (++i >= filter.Length)
                {
                    break;
                }

                text.Append(filter[i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', var other => other });
            }
            else
            {
                text.Append(c);
            }
        }

        throw new FakeFilterException("Unterminated string literal.");
    }
}

internal enum FilterTokenKind
{
    Word,
    String,
    Operator,
    Punctuation,
}

internal sealed record FilterToken(FilterTokenKind Kind, string Text);
