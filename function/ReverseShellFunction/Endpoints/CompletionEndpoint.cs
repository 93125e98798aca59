using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Endpoints;

/// <summary>
/// <c>POST /completions</c> with <c>{"bundleId":"…","part":n}</c>: what Cloud Tasks calls (with the delivery identity's
/// OIDC token; Cloud Run checks it, as for deliveries). 200 when the part is stored or nothing is left; 429 with
/// Retry-After when it is not due yet or every due collector failed transiently again; 503 when the store fails;
/// 400 for a body that names no part. Cloud Tasks retries every non-2xx with the queue's backoff.
/// </summary>
internal static class CompletionEndpoint
{
    private const int MaxBodyBytes = 4096;

    public static IEndpointRouteBuilder MapCompletion(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/completions", HandleAsync);
        return endpoints;
    }

    // Siblings run beside each other as the deliveries of a burst do; their reads are mostly answered by the coalescer.
    private const int SiblingConcurrency = 4;

    /// <summary>
    /// Time a part needs after its collection deadline: building, sealing (KMS, TSA) and storing the zip and index.
    /// A sibling is started only when the collection deadline plus this still fits before the request timeout.
    /// </summary>
    private static readonly TimeSpan s_storeAllowance = TimeSpan.FromSeconds(30);

    private static async Task<IResult> HandleAsync(HttpContext context, EvidenceFunction function, FunctionSettings settings, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(CompletionEndpoint).FullName!);
        var time = context.RequestServices.GetRequiredService<TimeProvider>();

        // Cloud Run cuts the request off at its timeout, and Cloud Tasks stops waiting at the same dispatchDeadline.
        var requestEnds = time.GetUtcNow() + settings.Completion.RequestTimeout;
        var cancellationToken = context.RequestAborted;
        using var trace = logger.BeginScope(TraceScope.From(context.Request, settings.GoogleCloudProject));
        if (await ReadAsync(context.Request, cancellationToken) is not { } request)
        {
            return Results.Problem(title: "not a completion request", detail: "expected a JSON body {\"bundleId\":\"…\",\"part\":n} of at most 4096 bytes", statusCode: StatusCodes.Status400BadRequest);
        }

        // Every Logging read of this dispatch, its own part's and its siblings', counts against one allowance.
        var reads = ReadAllowance.ForDispatch(settings.Collection.LogMaxEntries);
        reads.Apply();
        try
        {
            var result = await function.CompleteAsync(request, cancellationToken);
            // Only after a part was collected now: its reads are the ones the siblings share.
            if (result.Outcome == CompletionOutcome.Done && result.Stored is not null
                && context.RequestServices.GetService<CompletionSiblings>() is { } siblings)
            {
                var partTakes = settings.Collection.Deadline + s_storeAllowance;
                await RunSiblingsAsync(function, siblings, request, time, new SiblingBudget(requestEnds, partTakes), logger, cancellationToken);
            }

            var body = new CompletionAnswer(
                result.OutcomeName,
                result.Reason,
                request.BundleId,
                request.Part,
                result.Stored?.IndexEntry?.Summary.Completion?.State.ToString().ToLowerInvariant());
            switch (result.Outcome)
            {
                case CompletionOutcome.Later:
                    var seconds = Math.Max(1, (long)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromSeconds(60)).TotalSeconds));
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    logger.LogInformation("Completion of {BundleId} part {Part} later: {Reason}", request.BundleId, request.Part, result.Reason);
                    return Results.Json(body, EvidenceJson.Options, statusCode: StatusCodes.Status429TooManyRequests);
                case CompletionOutcome.Rejected:
                    return Results.Problem(title: "not a completion request", detail: result.Reason, statusCode: StatusCodes.Status400BadRequest);
                default:
                    return Results.Json(body, EvidenceJson.Options, statusCode: StatusCodes.Status200OK);
            }
        }
        catch (EvidenceStoreException ex)
        {
            logger.LogError(ex, "The evidence store failed during a completion; answering 503 so the task is retried");
            return Results.Problem(title: "evidence store unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The caller went away before the completion was handled; it will be retried");
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// Runs the due parts this instance scheduled in the same group as <paramref name="done"/> (same resource, due
    /// the same minute: the same log reads). The first sibling that cannot finish now (quota, 5xx, not due) stops
    /// the batch: the ones not started go back for the next completion of the group, and every sibling that was
    /// tried is left to its own task and its queue's backoff, so a spent quota is never retried in a loop. A sibling
    /// that could not finish before the request timeout (a part may take the collection deadline and the time to
    /// store) is not started either: cut off halfway, it would be lost work, and its own task does it instead.
    /// </summary>
    private static async Task RunSiblingsAsync(
        EvidenceFunction function, CompletionSiblings siblings, CompletionRequest done, TimeProvider time, SiblingBudget budget, ILogger logger, CancellationToken cancellationToken)
    {
        var due = siblings.TakeDueSiblings(done, time.GetUtcNow());
        if (due.Count == 0)
        {
            return;
        }

        var stored = 0;
        var tried = 0;
        var stop = false;
        var outOfTime = 0;
        var noReads = 0;
        using var slots = new SemaphoreSlim(SiblingConcurrency);
        var running = new List<Task>();
        foreach (var task in due)
        {
            await slots.WaitAsync(cancellationToken);
            if (!Volatile.Read(ref stop) && time.GetUtcNow() + budget.PartTakes > budget.RequestEnds)
            {
                Volatile.Write(ref stop, true);
                outOfTime = due.Count - tried;
            }

            if (!Volatile.Read(ref stop) && ReadAllowance.Current is { Left: 0 })
            {
                // The dispatch's Logging reads are spent: the rest are left to their own tasks.
                Volatile.Write(ref stop, true);
                noReads = due.Count - tried;
            }

            if (Volatile.Read(ref stop))
            {
                slots.Release();
                siblings.Remember(task);
                continue;
            }

            tried++;
            running.Add(RunOneAsync(task));
        }

        await Task.WhenAll(running);
        logger.LogInformation(
            "Completion of {BundleId} part {Part} also ran {Tried} of {Siblings} sibling part(s) of the same resource due the same minute: {Stored} stored; {OutOfTime} not started for lack of time before the request timeout, {NoReads} for lack of Logging reads ({ReadsLeft} of {Reads} left)",
            done.BundleId,
            done.Part,
            tried,
            due.Count,
            stored,
            outOfTime,
            noReads,
            ReadAllowance.Current?.Left,
            ReadAllowance.Current?.Reads);

        async Task RunOneAsync(CompletionTask task)
        {
            try
            {
                var result = await function.CompleteAsync(task.Request, cancellationToken);
                if (result.Outcome == CompletionOutcome.Later)
                {
                    Volatile.Write(ref stop, true);
                }
                else if (result.Stored is not null)
                {
                    Interlocked.Increment(ref stored);
                }
            }
            catch (EvidenceStoreException ex)
            {
                Volatile.Write(ref stop, true);
                logger.LogWarning(ex, "Sibling completion of {BundleId} part {Part} failed; its own task retries it", task.Id.Value, task.Part);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    private static async Task<CompletionRequest?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length is 0 or > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            var parsed = JsonSerializer.Deserialize<CompletionRequest>(buffer.AsSpan(0, length), EvidenceJson.Options);
            return parsed is { BundleId: { Length: > 0 } } ? parsed : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private sealed record SiblingBudget(DateTimeOffset RequestEnds, TimeSpan PartTakes);

    private sealed record CompletionAnswer(string Outcome, string Reason, string BundleId, int Part, string? Completeness);
}
