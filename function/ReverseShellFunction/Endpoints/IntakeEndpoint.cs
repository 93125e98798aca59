using ReverseShellFunction.Bundle;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Endpoints;

/// <summary>
/// <c>POST /</c>: the response contract. 200 when handled (stored, already stored, ignored, quarantined);
/// 503 when the store fails or another delivery of the event is still collecting it, so Pub/Sub or Eventarc
/// redelivers; 500 for anything unexpected, also redelivered.
/// </summary>
public static class IntakeEndpoint
{
    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/", HandleAsync);
        endpoints.MapGet("/ready", (FunctionSettings settings, IEvidenceStore store) =>
            Results.Ok(new { status = "ready", store = settings.EvidenceBucket is null ? "folder" : "bucket" }));
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        IntakeProcessor processor,
        TimeProvider time,
        FunctionSettings settings,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(IntakeEndpoint).FullName!);
        var cancellationToken = context.RequestAborted;
        using var trace = logger.BeginScope(TraceScope.From(context.Request, settings.GoogleCloudProject));
        // Kestrel's own cap a little above ours: after a 413 it would otherwise read (drain) the rest of an endless body.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = RequestBodyReader.MaxRequestBytes + (1024 * 1024);
        }

        try
        {
            // No local for the raw delivery: once decoded, its body (up to 14 MiB) must not stay reachable from here.
            var result = await processor.ProcessAsync(await RequestBodyReader.ReadAsync(context.Request, time.GetUtcNow(), cancellationToken), cancellationToken);
            if (result.Outcome == PipelineOutcome.InFlight)
            {
                // Another delivery of this event is collecting it: not acknowledged, so Pub/Sub comes back (and finds
                // it stored, or takes over if that delivery died).
                context.Response.Headers.RetryAfter = "10";
                return Results.Json(result, EvidenceJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Json(result, EvidenceJson.Options, statusCode: StatusCodes.Status200OK);
        }
        catch (RequestTooLargeException ex)
        {
            // Not a Pub/Sub push (a message is at most 10 MB, so Pub/Sub never sends this); the sender is told plainly.
            // Were it Pub/Sub, a 413 is a failed push like any 4xx: redelivered with backoff until the subscription's
            // dead-letter topic takes it, so nothing would be lost either.
            logger.LogWarning("Refused a request body of more than {MaxBytes} bytes ({Seen} declared or read): answering 413, nothing stored", RequestBodyReader.MaxRequestBytes, ex.Seen);
            return Results.Problem(title: "request body too large", detail: ex.Message, statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        catch (EvidenceStoreException ex)
        {
            logger.LogError(ex, "The evidence store failed; answering 503 so the delivery is retried");
            return Results.Problem(title: "evidence store unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The caller went away before the delivery was handled; it will be redelivered");
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }
}
