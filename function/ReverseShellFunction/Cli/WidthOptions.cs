using System.CommandLine;
using System.Globalization;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary>
/// How wide <c>list</c> and <c>show</c> print: <c>--width N</c> or <c>--wide</c> (never both), else the terminal
/// standard output is, else <c>COLUMNS</c>, else <see cref="Default"/>. A terminal or <c>COLUMNS</c> narrower than
/// <see cref="Minimum"/> still gets <see cref="Minimum"/>: below it an id and its time no longer fit one line.
/// </summary>
internal sealed class WidthOptions
{
    public const int Default = 100;
    public const int Minimum = 40;

    /// <summary>Adds <c>--wide</c> and <c>--width</c> to <paramref name="command"/>, with the check that refuses both at once.</summary>
    public WidthOptions(Command command, string wideMeaning)
    {
        Wide = new Option<bool>("--wide") { Description = wideMeaning };
        Width = new Option<int?>("--width")
        {
            Description = $"Fit to this many columns (at least {Minimum}); default: the terminal's width, else $COLUMNS, else {Default}",
        };
        command.Options.Add(Wide);
        command.Options.Add(Width);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Wide) && result.GetValue(Width) is not null)
            {
                result.AddError("Give --width N or --wide, not both: --wide prints every column however wide, --width fits N columns.");
            }
            else if (result.GetValue(Width) is < Minimum)
            {
                result.AddError($"--width must be at least {Minimum}.");
            }
        });
    }

    public Option<bool> Wide { get; }

    public Option<int?> Width { get; }

    /// <summary>The width to fit, or null for <c>--wide</c> (no limit).</summary>
    public int? Resolve(ParseResult parse, HostEnvironment environment)
    {
        // The command's validator has refused both at once and a width under the minimum.
        return parse.GetValue(Wide) ? null : parse.GetValue(Width) ?? Detected(environment);
    }

    private static int Detected(HostEnvironment environment)
    {
        if (environment.TerminalColumns() is > 0 and var terminal)
        {
            return Math.Max(Minimum, terminal);
        }

        return int.TryParse(environment.Variable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0
            ? Math.Max(Minimum, Math.Min(columns, 10_000))
            : Default;
    }
}
