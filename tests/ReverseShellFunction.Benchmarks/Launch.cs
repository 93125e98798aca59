namespace ReverseShellFunction.Benchmarks;

/// <summary>How to start one server build: a framework-dependent dll under <c>dotnet</c>, or a native executable.</summary>
internal sealed record Launch(string Name, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    public static Launch Function(string name, string dll, IReadOnlyDictionary<string, string>? environment = null) =>
        new(name, "dotnet", [dll, "serve"], environment ?? new Dictionary<string, string>());

    public static Launch Bare(string name, string dll) => new(name, "dotnet", [dll], new Dictionary<string, string>());

    public static Launch Native(string name, string executable) => new(name, executable, ["serve"], new Dictionary<string, string>());

    /// <summary>The function's CLI (<c>replay</c>, <c>verify</c>) from the same dll.</summary>
    public static Launch Cli(string dll, params string[] arguments) => new("cli", "dotnet", [dll, .. arguments], new Dictionary<string, string>());

    public Launch With(string name, string variable, string value) =>
        this with { Name = name, Environment = new Dictionary<string, string>(Environment) { [variable] = value } };
}
