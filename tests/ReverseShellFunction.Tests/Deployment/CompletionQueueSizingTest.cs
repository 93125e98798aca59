using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Deployment;

/// <summary>
/// Terraform checks the completion queue's rate against the Logging read quota with the number of entries:list
/// calls a dispatch can make; that number is a bound only if it is the function's own call cap per window read.
/// </summary>
public sealed class CompletionQueueSizingTest
{
    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(10_000)]
    [InlineData(10_000_000)]
    public void Terraforms_reads_per_dispatch_are_two_windows_of_the_functions_call_cap(long logMaxEntries)
    {
        var completion = RepositoryFiles.Read("terraform", "completion.tf");
        Assert.Contains("completion_reads_per_dispatch = 2 * (2 * ceil(var.log_max_entries / 1000) + 2)", completion, StringComparison.Ordinal);
        Assert.Contains("local.completion_reads_per_dispatch * 60 * var.completion_max_dispatches_per_second <= var.logging_read_quota_per_minute / 2", completion, StringComparison.Ordinal);

        // Terraform's ceil(n / 1000) over real numbers, as the expression above computes it.
        var terraformPerWindow = (2 * (long)Math.Ceiling(logMaxEntries / 1000.0)) + 2;
        Assert.Equal(terraformPerWindow, LogEntriesDownload.MaxCalls(logMaxEntries));
    }
}
