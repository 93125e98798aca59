using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;

namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// The one HTTP path to Google's REST APIs: a bearer token on every attempt, a timeout per attempt, retries
/// with backoff on 429, 5xx, timeouts and transport errors (a Polly pipeline on <see cref="RetryPolicy"/>'s
/// numbers), and failures turned into <see cref="GoogleApiException"/>.
/// A cancellation of the caller's token (the collection deadline) always surfaces as OperationCanceledException.
/// </summary>
public sealed class GoogleApiClient(HttpClient http, IAccessTokenSource tokens, RetryPolicy retry, TimeProvider time, ILogger<GoogleApiClient> logger)
{
    /// <summary>How every adapter parses an answer: deeper than the default 64, as API documents nest.</summary>
    internal static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = 256 };

    /// <summary>The system parameter that names the quota project of a call.</summary>
    public const string UserProjectHeader = "x-goog-user-project";

    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };

    private readonly ResiliencePipeline _pipeline = Pipeline(retry, logger);

    public Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) => tokens.HasCredentialsAsync(cancellationToken);

    public Task<JsonDocument> GetJsonAsync(Uri uri, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), ReadDocumentAsync, cancellationToken);

    public Task<JsonDocument> PostJsonAsync(Uri uri, byte[] body, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) { Headers = { ContentType = s_json } } },
            ReadDocumentAsync,
            cancellationToken);

    /// <summary>
    /// A JSON POST whose whole answer is returned as bytes, so several callers can each parse their own copy.
    /// <paramref name="userProject"/>, when set, goes out as <c>x-goog-user-project</c>: the project charged for
    /// the call's quota instead of the caller's own.
    /// </summary>
    internal Task<ChunkedBytes> PostForBytesAsync(Uri uri, byte[] body, string? userProject, CancellationToken cancellationToken) =>
        SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) { Headers = { ContentType = s_json } } };
                if (userProject is not null)
                {
                    request.Headers.Add(UserProjectHeader, userProject);
                }

                return request;
            },
            ChunkedBytes.ReadAsync,
            cancellationToken);

    /// <summary>Sends a fresh request per attempt and reads a successful body with <paramref name="read"/> inside the attempt.</summary>
    public async Task<T> SendAsync<T>(Func<HttpRequestMessage> createRequest, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createRequest);
        ArgumentNullException.ThrowIfNull(read);
        var attempt = 0;
        return await _pipeline.ExecuteAsync(
            async attemptToken => await AttemptAsync(createRequest, read, ++attempt, cancellationToken, attemptToken), cancellationToken);
    }

    private static ResiliencePipeline Pipeline(RetryPolicy retry, ILogger logger) => retry.Retries(
            failure => failure is GoogleApiException { Retryable: true },
            (failure, attempt, delay) => logger.LogWarning(
                "Google API call {Path} failed on attempt {Attempt} of {MaxAttempts} ({Problem}); retrying in {DelayMs} ms",
                ((GoogleApiException)failure).Path,
                attempt,
                retry.MaxAttempts,
                ((GoogleApiException)failure).Describe(),
                (long)delay.TotalMilliseconds),
            failure => ((GoogleApiException)failure).RetryAfter)
        .AddTimeout(retry.AttemptTimeout)
        .Build();

    /// <summary>One attempt under its own time limit (<paramref name="attemptToken"/>); every failure is a <see cref="GoogleApiException"/> that says whether to retry.</summary>
    private async ValueTask<T> AttemptAsync<T>(
        Func<HttpRequestMessage> createRequest, Func<Stream, CancellationToken, Task<T>> read, int attempt, CancellationToken cancellationToken, CancellationToken attemptToken)
    {
        using var request = createRequest();
        var path = request.RequestUri?.AbsolutePath ?? "";
        try
        {
            // The token request counts against the attempt's time limit: a metadata server that accepts and never
            // answers must not take the whole collection deadline.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAccessTokenAsync(attemptToken));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is CredentialsUnavailableException or OperationCanceledException)
        {
            // A credential source that gave no token now (a metadata server still starting) is as transient as a
            // 503: retried here with backoff, and, if it lasts, left to a later part (no HTTP status: transient).
            var message = ex is OperationCanceledException ? $"no access token within {retry.AttemptTimeout.TotalSeconds:0.###} s" : ex.Message;
            throw new GoogleApiException(null, "UNAVAILABLE", $"could not get an access token: {message}", attempt, ex) { Path = path, Retryable = true };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // No credential source at all: configuration, not ours to repeat.
            throw new GoogleApiException(null, null, $"could not get an access token: {ex.Message}", attempt, ex) { Path = path };
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptToken);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await using var body = await response.Content.ReadAsStreamAsync(attemptToken);
                return await read(body, attemptToken);
            }

            throw new GoogleApiException(code, await GoogleErrorBody.ReadAsync(response, attemptToken), attempt) { Path = path, RetryAfter = RetryAfter(response) };
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"no complete answer within {retry.AttemptTimeout.TotalSeconds:0.###} s";
            throw new GoogleApiException(null, "DEADLINE_EXCEEDED", message, attempt, ex) { Path = path, Retryable = true };
        }
        catch (Exception ex) when ((ex is HttpRequestException or IOException) && !cancellationToken.IsCancellationRequested)
        {
            throw new GoogleApiException(null, "UNAVAILABLE", $"transport error: {ex.Message}", attempt, ex) { Path = path, Retryable = true };
        }
        catch (JsonException ex)
        {
            throw new GoogleApiException(null, null, $"the answer is not valid JSON: {ex.Message}", attempt, ex) { Path = path };
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static async Task<JsonDocument> ReadDocumentAsync(Stream body, CancellationToken cancellationToken) =>
        await JsonDocument.ParseAsync(body, DocumentOptions, cancellationToken);
}
