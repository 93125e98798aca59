using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

public sealed class CommandLineAppTest
{
    [Theory]
    [InlineData("show")]
    [InlineData("get")]
    [InlineData("list", "--no-such-option")]
    [InlineData("verify", "--all", "--json", "extra", "--since")]
    public async Task ParseError_ExitsTwoNotOne(params string[] args)
    {
        await using var store = new LocalStoreUnderTest();

        var result = await CliRun.RunAsync(store, args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.NotEmpty(result.Error);
    }

    [Fact]
    public async Task DirAndBucketTogether_IsAUsageError()
    {
        await using var store = new LocalStoreUnderTest();

        var result = await CliRun.RunAsync(store, "list", "--bucket", "evidence");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Give --dir or --bucket, not both.", result.Error, StringComparison.Ordinal);
    }
}
