namespace ReverseShellFunction.Report;

/// <param name="State">The first line: the bundle's state in <see cref="StateWords"/>' words, and what is wrong.</param>
/// <param name="Clean">A confirmed finding with complete evidence: the state line is not an alert.</param>
public sealed record ReportDocument(string State, bool Clean, string Headline, ReportValue Subtitle, IReadOnlyList<ReportSection> Sections);

public sealed record ReportSection(string Heading, IReadOnlyList<ReportBlock> Blocks, string? Id = null, bool Alert = false);

public abstract record ReportBlock;

/// <summary>Label: value lines.</summary>
public sealed record ReportFacts(IReadOnlyList<ReportRow> Rows) : ReportBlock;

public sealed record ReportRow(string Label, ReportValue Value);

public sealed record ReportTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<ReportValue>> Rows) : ReportBlock;

public sealed record ReportList(IReadOnlyList<ReportValue> Items, bool Ordered) : ReportBlock;

/// <param name="Heading">A subheading (a process) rather than a paragraph.</param>
public sealed record ReportParagraph(ReportValue Value, bool Heading = false) : ReportBlock;

public enum ReportSpanKind
{
    Text,
    Code,
    Strong,
    Link,
}

/// <summary>A piece of text; <see cref="Url"/> only for links the report builds itself (VirusTotal, ATT&amp;CK).</summary>
public sealed record ReportSpan(ReportSpanKind Kind, string Content, string? Url = null)
{
    public static ReportSpan Text(string text) => new(ReportSpanKind.Text, text);

    public static ReportSpan Code(string text) => new(ReportSpanKind.Code, text);

    public static ReportSpan Strong(string text) => new(ReportSpanKind.Strong, text);

    public static ReportSpan Link(string text, string url) => new(ReportSpanKind.Link, text, url);
}

public sealed record ReportValue(IReadOnlyList<ReportSpan> Spans)
{
    public static ReportValue Of(string text) => new([ReportSpan.Text(text)]);

    /// <summary>A code span, or "-" when there is nothing to show.</summary>
    public static ReportValue CodeOr(string? text) => string.IsNullOrEmpty(text) ? Of("-") : new([ReportSpan.Code(text)]);

    /// <summary>Code spans with <paramref name="separator"/> as text between them.</summary>
    public static ReportValue Codes(IEnumerable<string> texts, string separator = ", ") =>
        new([.. texts.SelectMany((t, i) => i == 0 ? new[] { ReportSpan.Code(t) } : [ReportSpan.Text(separator), ReportSpan.Code(t)])]);

    /// <summary>Each span that has content as <paramref name="render"/> writes it in a format, or "-" when none has.</summary>
    public string Render(Func<ReportSpan, string> render) =>
        string.Concat(Spans.Where(s => s.Content.Length > 0).Select(render)) is { Length: > 0 } text ? text : "-";
}
