using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Endpoints;

/// <summary>
/// <c>POST /completions</c> with <c>{"bundleId":"…","part":n}</c>: what Cloud Tasks calls (with the delivery identity's
/// OIDC token; Cloud Run checks it, as for deliveries). 200 when the part is stored or nothing is left; 429 with
/// Retry-After when it is not due yet or every due collector failed transiently again; 503 when the store fails;
/// 400 for a body that names no part. Cloud Tasks retries every non-2xx with the queue's backoff. The dispatch
/// itself, with the due sibling parts it runs, is <see cref="CompletionDispatch"/>.
/// </summary>
internal static class CompletionEndpoint
{
    private const int MaxBodyBytes = 4096;

    public static IEndpointRouteBuilder MapCompletion(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/completions", HandleAsync);
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, CompletionDispatch dispatch, FunctionSettings settings, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(CompletionEndpoint).FullName!);
        var cancellationToken = context.RequestAborted;
        using var trace = logger.BeginScope(TraceScope.From(context.Request, settings.GoogleCloudProject));
        if (await ReadAsync(context.Request, cancellationToken) is not { } request)
        {
            return Results.Problem(title: "not a completion request", detail: "expected a JSON body {\"bundleId\":\"…\",\"part\":n} of at most 4096 bytes", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var result = await dispatch.RunAsync(request, cancellationToken);
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

    private static async Task<CompletionRequest?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The reader sizes its buffer by a declared length: one over the limit is refused before anything is read.
        if (request.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            var body = await RequestBodyReader.ReadBodyAsync(request.Body, request.ContentLength, MaxBodyBytes, cancellationToken);
            var parsed = JsonSerializer.Deserialize<CompletionRequest>(body.Kept.Span, EvidenceJson.Options);
            return parsed is { BundleId: { Length: > 0 } } ? parsed : null;
        }
        catch (Exception ex) when (ex is RequestTooLargeException or JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private sealed record CompletionAnswer(string Outcome, string Reason, string BundleId, int Part, string? Completeness);
}
