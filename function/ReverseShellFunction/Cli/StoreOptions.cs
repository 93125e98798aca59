using System.CommandLine;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>--dir</c> and <c>--bucket</c>, shared by every command that reads or writes the store. Without them the
/// store comes from the environment (EVIDENCE_BUCKET, else EVIDENCE_DIR, else ./evidence).
/// </summary>
public sealed class StoreOptions
{
    public StoreOptions()
        : this(HostEnvironment.Process)
    {
    }

    /// <summary>Testable: the tests pass their own environment instead of the process's.</summary>
    internal StoreOptions(HostEnvironment environment)
    {
        Environment = environment;
    }

    public HostEnvironment Environment { get; }

    public Option<string?> Dir { get; } = new("--dir") { Description = "Use the evidence folder at this path", Recursive = true };

    public Option<string?> Bucket { get; } = new("--bucket") { Description = "Use this Cloud Storage bucket", Recursive = true };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Dir);
        command.Options.Add(Bucket);
    }

    /// <summary>Settings from the environment, with the store overridden by the command line.</summary>
    public FunctionSettings Settings(ParseResult parse)
    {
        var (dir, bucket) = Given(parse);
        var settings = FunctionSettings.From(Environment.Variable);
        return dir is not null ? settings with { EvidenceDir = dir, EvidenceBucket = null }
            : bucket is not null ? settings with { EvidenceBucket = bucket }
            : settings;
    }

    /// <summary>For the read-only commands: the store's settings only, with the command line's over them.</summary>
    internal ReaderSettings Reader(ParseResult parse)
    {
        var (dir, bucket) = Given(parse);
        return ReaderSettings.From(Environment.Variable, dir, bucket);
    }

    private (string? Dir, string? Bucket) Given(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var dir = parse.GetValue(Dir);
        var bucket = parse.GetValue(Bucket);
        if (dir is not null && bucket is not null)
        {
            throw new UsageException("Give --dir or --bucket, not both.");
        }

        if (dir is not null && File.Exists(dir))
        {
            throw new UsageException($"--dir {dir} is a file, not an evidence folder.");
        }

        return (dir, bucket);
    }
}
