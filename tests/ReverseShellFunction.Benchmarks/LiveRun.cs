using System.Diagnostics;
using System.Text.Json;

namespace ReverseShellFunction.Benchmarks;

/// <summary>One finding the scenario sent: where and when it happened, and the delivery's answer.</summary>
internal sealed record SentFinding(string Service, DateTimeOffset EventTime, EventAnswer Answer);

/// <summary>
/// Sends findings to a <see cref="LiveIncident"/>'s function, waits until every logical bundle is complete (or the
/// limit passes), and checks each against the fixture: what both completion scenarios measure the same way.
/// </summary>
internal sealed class LiveRun
{
    private readonly LiveIncident _incident;
    private readonly Dictionary<string, string> _states = new(StringComparer.Ordinal);

    public LiveRun(LiveIncident incident) => _incident = incident;

    public List<SentFinding> Sent { get; } = [];

    /// <summary>When the first delivery was sent.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Sends every finding, <paramref name="inFlight"/> at a time, each sender sending its next when its answer arrived.</summary>
    public async Task SendAsync(BenchContext context, IReadOnlyList<(string Service, DateTimeOffset EventTime)> findings, int inFlight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(findings);
        var answers = new SentFinding?[findings.Count];
        var next = -1;
        StartedAt = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < findings.Count && !cancellationToken.IsCancellationRequested)
            {
                using var request = _incident.Finding(findings[i].Service, findings[i].EventTime);
                answers[i] = new SentFinding(findings[i].Service, findings[i].EventTime, await EventClient.SendAsync(context.Http, request, cancellationToken));
            }
        }, CancellationToken.None)));
        Sent.AddRange(answers.Where(a => a is not null).Select(a => a!));
    }

    /// <summary>
    /// Polls the bucket's index entries (each read once: they are immutable) until every sent finding's newest part
    /// is complete, or incomplete, or <paramref name="limit"/> passes. Returns whether all ended complete.
    /// </summary>
    public async Task<bool> WaitCompleteAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var ids = Sent.Select(s => s.Answer.BundleId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var last = new Dictionary<string, (int Part, string State)>(StringComparer.Ordinal);
            foreach (var entry in _incident.World.Storage.Objects.List(FakeWorld.Bucket, "index/"))
            {
                if (!_states.TryGetValue(entry.Name, out var state))
                {
                    using var document = JsonDocument.Parse(entry.Content);
                    var summary = document.RootElement.GetProperty("summary");
                    state = summary.TryGetProperty("completion", out var c) && c.ValueKind == JsonValueKind.Object ? c.GetProperty("state").GetString() ?? "?" : "none";
                    _states[entry.Name] = state;
                }

                var file = entry.Name[(entry.Name.LastIndexOf('/') + 1)..^".json".Length];
                var dot = file.IndexOf(".part-", StringComparison.Ordinal);
                var id = dot < 0 ? file : file[..dot];
                var part = dot < 0 ? 1 : int.Parse(file[(dot + ".part-".Length)..], System.Globalization.CultureInfo.InvariantCulture);
                if (!last.TryGetValue(id, out var seen) || seen.Part < part)
                {
                    last[id] = (part, state);
                }
            }

            var open = ids.Count(id => !last.TryGetValue(id, out var s) || s.State == "pending");
            if (open == 0)
            {
                return ids.All(id => last[id].State == "complete");
            }

            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>What the bucket holds for the sent findings, checked against the fixture.</summary>
    public Outcome Check()
    {
        var bundles = _incident.Bundles().ToDictionary(b => b.BundleId, StringComparer.Ordinal);
        var outcome = new Outcome();
        foreach (var sent in Sent)
        {
            if (!sent.Answer.Stored || sent.Answer.BundleId is not { } id)
            {
                outcome.Problems.Add($"delivery not stored: {sent.Answer.Describe()}");
                continue;
            }

            if (!bundles.TryGetValue(id, out var bundle))
            {
                outcome.Problems.Add($"{id}: no index entry in the bucket");
                continue;
            }

            outcome.Bundles++;
            outcome.Parts += bundle.Parts.Count;
            outcome.MaxParts = Math.Max(outcome.MaxParts, bundle.Parts.Count);
            outcome.DuplicateParts += bundle.DuplicateParts;
            outcome.RepeatedEntries += bundle.RepeatedEntries;
            outcome.LastStoredAt = bundle.Last.StoredAt > outcome.LastStoredAt ? bundle.Last.StoredAt : outcome.LastStoredAt;
            if (bundle.Complete)
            {
                outcome.Complete++;
            }
            else
            {
                outcome.Problems.Add($"{id}: part {bundle.Last.Number} is {bundle.Last.State}");
            }

            if (!bundle.Contiguous)
            {
                outcome.Problems.Add($"{id}: parts {string.Join(',', bundle.Parts.Select(p => p.Number))}, not 1..n each with its zip");
            }

            var (container, audit) = _incident.Expected(sent.Service, sent.EventTime);
            var gotContainer = bundle.Parts.SelectMany(p => p.Container).ToHashSet(StringComparer.Ordinal);
            var gotAudit = bundle.Parts.SelectMany(p => p.Audit).ToHashSet(StringComparer.Ordinal);
            outcome.ExpectedEntries += container.Count + audit.Count;
            outcome.CollectedEntries += gotContainer.Count + gotAudit.Count;
            if (!gotContainer.SetEquals(container) || !gotAudit.SetEquals(audit))
            {
                outcome.EntryMismatches++;
                outcome.Problems.Add($"{id}: container entries {gotContainer.Count} collected, {container.Count} in the window ({container.Except(gotContainer).Count()} missing, {gotContainer.Except(container).Count()} outside); "
                    + $"audit {gotAudit.Count} vs {audit.Count} ({audit.Except(gotAudit).Count()} missing)");
            }
        }

        return outcome;
    }

    /// <summary>The bucket's state for the sent findings.</summary>
    internal sealed class Outcome
    {
        public int Bundles { get; set; }

        public int Complete { get; set; }

        public int Parts { get; set; }

        public int MaxParts { get; set; }

        public int DuplicateParts { get; set; }

        public int RepeatedEntries { get; set; }

        public int ExpectedEntries { get; set; }

        public int CollectedEntries { get; set; }

        public int EntryMismatches { get; set; }

        public DateTimeOffset LastStoredAt { get; set; }

        public List<string> Problems { get; } = [];
    }
}
