using ReverseShellFunction.Tests.Docs;

namespace ReverseShellFunction.Tests;

/// <summary>
/// The test project as a tool: <c>dotnet run --project tests/ReverseShellFunction.Tests -- write-docs</c>
/// regenerates the documentation's generated parts (<see cref="DocGenerator"/>). The tests themselves run under
/// <c>dotnet test</c>, which does not use this entry point.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not ["write-docs"])
        {
            await Console.Error.WriteLineAsync($"usage: {DocGenerator.Command}");
            return 2;
        }

        await DocGenerator.WriteAsync(Console.Out);
        return 0;
    }
}
