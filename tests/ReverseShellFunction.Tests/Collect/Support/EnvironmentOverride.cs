namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>Sets environment variables for one test and puts the old values back.</summary>
internal sealed class EnvironmentOverride : IDisposable
{
    private readonly Dictionary<string, string?> _saved = [];

    public EnvironmentOverride Set(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
