namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Recursive descent over the tokens: and := or ([AND] or)*, or := not (OR not)*, not := [NOT] primary.</summary>
internal sealed class FakeFilterParser
{
    private readonly List<FilterToken> _tokens;
    private int _next;

    public FakeFilterParser(List<FilterToken> tokens) => _tokens = tokens;

    public List<FilterComparison> Comparisons { get; } = [];

    public FilterNode ParseAll()
    {
        var node = ParseAnd();
        if (_next < _tokens.Count)
        {
            throw new FakeFilterException($"Unexpected '{_tokens[_next].Text}'.");
        }

        return node;
    }

    private FilterNode ParseAnd()
    {
        var parts = new List<FilterNode> { ParseOr() };
        while (_next < _tokens.Count && !IsPunctuation(")"))
        {
            if (IsWord("AND"))
            {
                _next++;
            }

            parts.Add(ParseOr());
        }

        return parts.Count == 1 ? parts[0] : new AllNode(parts);
    }

    private FilterNode ParseOr()
    {
        var parts = new List<FilterNode> { ParseNot() };
        while (IsWord("OR"))
        {
            _next++;
            parts.Add(ParseNot());
        }

        return parts.Count == 1 ? parts[0] : new AnyNode(parts);
    }

    private FilterNode ParseNot()
    {
        if (IsWord("NOT"))
        {
            _next++;
            return new NotNode(ParsePrimary());
        }

        return ParsePrimary();
    }

    private FilterNode ParsePrimary()
    {
        if (IsPunctuation("("))
        {
            _next++;
            var inner = ParseAnd();
            Expect(FilterTokenKind.Punctuation, ")");
            return inner;
        }

        var word = Expect(FilterTokenKind.Word, null).Text;
        if (IsPunctuation("("))
        {
            _next++;
            var argument = Expect(FilterTokenKind.String, null).Text;
            Expect(FilterTokenKind.Punctuation, ")");
            return new FunctionNode(word, argument);
        }

        // A quoted path segment: labels."run.googleapis.com/execution_name".
        var field = word;
        while (field.EndsWith('.') && Peek()?.Kind == FilterTokenKind.String)
        {
            field += _tokens[_next++].Text;
        }

        var op = Expect(FilterTokenKind.Operator, null).Text;
        var value = Peek() is { Kind: FilterTokenKind.String or FilterTokenKind.Word } token
            ? _tokens[_next++].Text
            : throw new FakeFilterException($"Expected a value after {field} {op}.");
        var comparison = new FilterComparison(field, op, value);
        Comparisons.Add(comparison);
        return new ComparisonNode(comparison);
    }

    private FilterToken? Peek() => _next < _tokens.Count ? _tokens[_next] : null;

    private bool IsWord(string text) => Peek() is { Kind: FilterTokenKind.Word } token && token.Text == text;

    private bool IsPunctuation(string text) => Peek() is { Kind: FilterTokenKind.Punctuation } token && token.Text == text;

    private FilterToken Expect(FilterTokenKind kind, string? text)
    {
        if (Peek() is { } token && token.Kind == kind && (text is null || token.Text == text))
        {
            _next++;
            return token;
        }

        throw new FakeFilterException($"Expected {text ?? kind.ToString()} at token {_next}, found '{Peek()?.Text ?? "end of filter"}'.");
    }
}

internal abstract record FilterNode
{
    public abstract bool Evaluate(Func<string, string?> field, Func<string, string, bool> function);
}

internal sealed record AllNode(List<FilterNode> Parts) : FilterNode
{
    public override bool Evaluate(Func<string, string?> field, Func<string, string, bool> function) => Parts.All(p => p.Evaluate(field, function));
}

internal sealed record AnyNode(List<FilterNode> Parts) : FilterNode
{
    public override bool Evaluate(Func<string, string?> field, Func<string, string, bool> function) => Parts.Any(p => p.Evaluate(field, function));
}

internal sealed record NotNode(FilterNode Inner) : FilterNode
{
    public override bool Evaluate(Func<string, string?> field, Func<string, string, bool> function) => !Inner.Evaluate(field, function);
}

internal sealed record FunctionNode(string Name, string Argument) : FilterNode
{
    public override bool Evaluate(Func<string, string?> field, Func<string, string, bool> function) => function(Name, Argument);
}

internal sealed record ComparisonNode(FilterComparison Comparison) : FilterNode
{
    public override bool Evaluate(Func<string, string?> field, Func<string, string, bool> function) =>
        FakeFilter.Compare(field(Comparison.Field), Comparison.Operator, Comparison.Value);
}
