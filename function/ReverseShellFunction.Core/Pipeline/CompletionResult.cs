using System.Text.Json;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Pipeline;

/// <summary>What a completion did, in the terms the endpoint answers Cloud Tasks with.</summary>
public enum CompletionOutcome
{
    /// <summary>The part is stored now or was before (2xx).</summary>
    Done,

    /// <summary>Nothing is left for this part: the bundle is complete, or the request points at nothing (2xx, so it is not retried).</summary>
    NothingLeft,

    /// <summary>Not due yet, or every due collector failed transiently again (429 with Retry-After).</summary>
    Later,

    /// <summary>The request names no bundle part (400).</summary>
    Rejected,
}

public sealed record CompletionResult
{
    public required CompletionOutcome Outcome { get; init; }
    public required string Reason { get; init; }

    /// <summary>Done: the stored part's result.</summary>
    public PipelineResult? Stored { get; init; }

    /// <summary>Later: how long to wait.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The outcome as the endpoint and <c>complete</c> print it: <c>done</c>, <c>nothing-left</c>, <c>later</c>, <c>rejected</c>.</summary>
    public string OutcomeName => JsonNamingPolicy.KebabCaseLower.ConvertName(Outcome.ToString());

    public static CompletionResult Done(PipelineResult stored) => new() { Outcome = CompletionOutcome.Done, Reason = stored?.Reason ?? "", Stored = stored };

    public static CompletionResult NothingLeft(string reason) => new() { Outcome = CompletionOutcome.NothingLeft, Reason = reason };

    public static CompletionResult Later(string reason, TimeSpan retryAfter) => new() { Outcome = CompletionOutcome.Later, Reason = reason, RetryAfter = retryAfter };

    public static CompletionResult Rejected(string reason) => new() { Outcome = CompletionOutcome.Rejected, Reason = reason };
}
