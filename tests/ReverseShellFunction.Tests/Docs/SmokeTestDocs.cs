using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// terraform/README.md's smoke-test output: samples/smoke-test.notification.json, with the event time the
/// README's sed puts in (here a fixed one), delivered through the whole function (real collectors) to the Google
/// API fakes, which know none of its project, service or finding, as the real APIs do not. What <c>list</c>
/// prints then goes between the <c>&lt;!-- smoke-output NAME --&gt;</c> markers.
/// </summary>
internal static partial class SmokeTestDocs
{
    public static readonly DateTimeOffset EventTime = new(2026, 12, 1, 21, 0, 0, TimeSpan.Zero);

    public static async Task<string> RenderAsync(string readme)
    {
        // A minute after the publish, as the README says to wait.
        var clock = new FakeTimeProvider(EventTime.AddMinutes(1));
        await using var harness = await PipelineHarness.StartAtAsync(clock);
        var notification = Encoding.UTF8.GetString(Support.TestData.Sample("smoke-test.notification.json"))
            .Replace("2000-01-01T00:00:00.000Z", "2026-12-01T21:00:00.000Z", StringComparison.Ordinal);
        var result = await harness.ReplayNotificationAsync(Encoding.UTF8.GetBytes(notification), "smoke-1");
        _ = result.BundleId ?? throw new InvalidOperationException($"the smoke test stored no bundle: {result.Outcome}");
        var store = harness.Store.Root;
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["list"] = await RunAsync(store, "list", "--service", "smoke-test-not-a-real-service"),
        };
        return Block().Replace(readme, match =>
            blocks.TryGetValue(match.Groups["name"].Value, out var text)
                ? $"<!-- smoke-output {match.Groups["name"].Value} -->\n```\n{text}```\n<!-- /smoke-output -->"
                : throw new InvalidOperationException($"terraform/README.md has a smoke-output block '{match.Groups["name"].Value}' the generator does not produce"));
    }

    /// <summary>What the command prints on stdout and stderr, as a person sees it in the terminal (the store's path left out).</summary>
    private static async Task<string> RunAsync(string store, params string[] args)
    {
        var output = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null), "rsf");
        await CommandLineApp.InvokeAsync(root, [.. args, "--dir", store], configuration, CancellationToken.None);
        return output.ToString().Replace(store, "gs://BUCKET", StringComparison.Ordinal).ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"<!-- smoke-output (?<name>[a-z0-9-]+) -->\n```\n.*?```\n<!-- /smoke-output -->", RegexOptions.Singleline)]
    private static partial Regex Block();
}
