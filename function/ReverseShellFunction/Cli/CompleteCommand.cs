using System.CommandLine;
using System.Globalization;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>complete [--wait]</c>: runs the completions that are due from the store's pending records (the embedded
/// default; with Cloud Tasks the queue runs them), one line per attempt, then one line per part still pending.
/// With <c>--wait</c> it sleeps until the next one is due and goes on until nothing is pending. Exit 0 when
/// nothing is left pending (or nothing was due, without --wait), 1 when an attempt must be retried, 3 when the
/// store fails.
/// </summary>
internal static class CompleteCommand
{
    public static Command Create(StoreOptions store)
    {
        var wait = new Option<bool>("--wait") { Description = "Wait for parts that are not due yet, until no bundle is pending" };
        var concurrency = new Option<int>("--concurrency") { Description = "Completions run at once", DefaultValueFactory = _ => 4 };
        var command = new Command("complete", "Collect the later parts of pending bundles that are due (embedded default: the store's pending records)") { wait, concurrency };
        command.SetAction((parse, cancellationToken) => store.RunAsync(parse, readOnly: false, async (services, output, ct) =>
        {
            var parallel = parse.GetValue(concurrency);
            if (parallel is < 1 or > 64)
            {
                throw new UsageException("--concurrency must be from 1 to 64.");
            }

            StartupSweep.Run(services);
            var runner = services.GetRequiredService<CompletionRunner>();
            var time = services.GetRequiredService<TimeProvider>();
            var retried = false;
            while (true)
            {
                var pass = await runner.RunDueAsync(parallel, ct);
                foreach (var (part, result) in pass.Attempts)
                {
                    retried |= result.Outcome == CompletionOutcome.Later;
                    var state = result.Stored?.IndexEntry?.Summary.Completion?.State.ToString().ToLowerInvariant();
                    var line = $"{part.Id.ObjectStem}: {result.OutcomeName}{(state is null ? "" : $" ({state})")}: {result.Reason}";
                    await output.WriteLineAsync(DisplayText.Visible(line, 2000).AsMemory(), ct);
                }

                if (pass.Remaining.Count == 0)
                {
                    await output.WriteLineAsync(pass.Attempts.Count == 0 ? "Nothing pending." : "Nothing left pending.");
                    return ExitCodes.Ok;
                }

                var next = pass.Remaining.Min(p => p.Due);
                if (!parse.GetValue(wait))
                {
                    foreach (var part in pass.Remaining)
                    {
                        await output.WriteLineAsync($"{part.Id.ObjectStem}: pending, due {Time(part.Due)}".AsMemory(), ct);
                    }

                    return retried ? ExitCodes.Problem : ExitCodes.Ok;
                }

                var sleep = next - time.GetUtcNow();
                if (sleep > TimeSpan.Zero)
                {
                    await output.WriteLineAsync($"{pass.Remaining.Count} part(s) pending; waiting until {Time(next)}".AsMemory(), ct);
                    // At most a day at a time: Task.Delay refuses waits over about 49 days, and the store may change meanwhile.
                    await Task.Delay(sleep < TimeSpan.FromDays(1) ? sleep : TimeSpan.FromDays(1), time, ct);
                }
                else if (pass.Attempts.Count == 0)
                {
                    // Due, but nothing ran (every due part backing off): never spin.
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
                }
            }
        }, cancellationToken));
        return command;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
