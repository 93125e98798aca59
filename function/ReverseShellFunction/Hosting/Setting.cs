using System.Globalization;

namespace ReverseShellFunction.Hosting;

/// <summary>One environment variable the function reads: its name, default as written, and what it means.</summary>
/// <param name="TerraformVariable">The <c>terraform/variables.tf</c> input that sets it on Cloud Run, if any.</param>
internal record Setting(string Name, string DefaultText, string Meaning, string? TerraformVariable = null)
{
    /// <summary>The limits column of the README table.</summary>
    public virtual string LimitsText => "–";

    /// <summary>The default as the program uses it: the README's default without its backticks; null when there is none to write.</summary>
    public string? DefaultValue => DefaultText is ['`', .., '`'] ? DefaultText[1..^1] : null;

    /// <summary>The value from <paramref name="get"/> (a <see cref="SettingsCatalog.Lookup"/>), else the default.</summary>
    public string? Text(Func<string, string?> get) => get(Name) ?? DefaultValue;

    /// <summary>true or false (also 1/0, yes/no), case-insensitive; unset: the default.</summary>
    public bool Flag(Func<string, string?> get) => Text(get)?.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var other => throw new InvalidOperationException($"{Name} must be true or false; it is '{other}'."),
    };

    /// <summary>Whether the value is <paramref name="other"/> rather than the default word, case-insensitive.</summary>
    public bool Is(Func<string, string?> get, string other) => Text(get)?.ToLowerInvariant() switch
    {
        var value when value == DefaultValue => false,
        var value when value == other => true,
        var value => throw new InvalidOperationException($"{Name} must be {DefaultValue} or {other}; it is '{value}'."),
    };

    /// <summary>An http(s) API root, else the default (<paramref name="example"/> when there is none); anything else: one message naming the variable.</summary>
    public string Endpoint(Func<string, string?> get, string? example = null)
    {
        example ??= DefaultValue!;
        var text = get(Name) ?? example;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{Name} must be an http(s) URL such as {example}; it is '{text}'.");
        }

        return text.TrimEnd('/');
    }
}

/// <summary>A whole-number setting with inclusive limits; the app refuses to start outside them.</summary>
internal sealed record NumberSetting(string Name, long Default, long Min, long Max, string Meaning, string? TerraformVariable = null)
    : Setting(Name, Default.ToString(CultureInfo.InvariantCulture), Meaning, TerraformVariable)
{
    public override string LimitsText =>
        $"{Min.ToString(CultureInfo.InvariantCulture)} – {Max.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The value from <paramref name="get"/>, else the default; outside the limits or not a whole number: one message naming the variable.</summary>
    public long Number(Func<string, string?> get)
    {
        if (get(Name) is not { } text)
        {
            return Default;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < Min || value > Max)
        {
            throw new InvalidOperationException(
                $"{Name} must be a whole number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}; it is '{text}'.");
        }

        return value;
    }
}
