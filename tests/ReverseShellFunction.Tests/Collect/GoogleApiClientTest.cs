using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ReverseShellFunction.Collectors;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Collect;

public sealed class GoogleApiClientTest : IDisposable
{
    private const string Token = "ya29.secret-token-value";
    private static readonly Uri s_uri = new("https://run.example/v2/projects/p/locations/l/services/s");

    private readonly ScriptedHandler _handler = new();
    private readonly RecordedDelays _delays = new();
    private readonly ListLogger<GoogleApiClient> _logger = new();

    [Fact]
    public async Task EveryAttempt_CarriesTheBearerToken_AndTheTokenIsNeverLogged()
    {
        _handler.Then(() => Answer(HttpStatusCode.ServiceUnavailable, "{\"error\":{\"code\":503,\"message\":\"try later\",\"status\":\"UNAVAILABLE\"}}"))
            .Then(() => Answer(HttpStatusCode.OK, "{\"name\":\"s\"}"));

        using var document = await Client().GetJsonAsync(s_uri, CancellationToken.None);

        Assert.Equal("s", document.RootElement.GetProperty("name").GetString());
        Assert.All(_handler.Requests, r => Assert.Equal(new AuthenticationHeaderValue("Bearer", Token), r.Headers.Authorization));
        Assert.Contains(_logger.Messages, m => m.Contains("503 UNAVAILABLE: try later", StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Messages, m => m.Contains(Token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    public async Task OtherClientErrors_AreNeverRetried(HttpStatusCode status)
    {
        _handler.Then(() => Answer(status, "{\"error\":{\"code\":400,\"message\":\"no\",\"status\":\"X\"}}"));

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => Client().GetJsonAsync(s_uri, CancellationToken.None));

        Assert.Equal((int)status, error.HttpStatus);
        Assert.Single(_handler.Requests);
        Assert.Empty(_delays.Delays);
    }

    // google/api/error_reason.proto names the quota reasons; RESOURCE_EXHAUSTED is the status, never a reason.
    [Theory]
    [InlineData("RATE_LIMIT_EXCEEDED", "ReadRequestsPerMinutePerProject", "120", "ReadRequestsPerMinutePerProject (120)")]
    [InlineData("RESOURCE_QUOTA_EXCEEDED", "ReadRequestsPerMinutePerUser", "60", "ReadRequestsPerMinutePerUser (60)")]
    [InlineData("RESOURCE_QUOTA_EXCEEDED", null, null, "RESOURCE_QUOTA_EXCEEDED")]
    public async Task QuotaRefusals_AreClassifiedByReasonOrStatus_NotRetried_AndSayWhichQuotaAtWhatValue(string? reason, string? limit, string? value, string expected)
    {
        var metadata = limit is null ? "{}" : $"{{\"quota_limit\":\"{limit}\",\"quota_limit_value\":\"{value}\",\"service\":\"logging.googleapis.com\"}}";
        var details = reason is null ? "" : $",\"details\":[{{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"{reason}\",\"domain\":\"googleapis.com\",\"metadata\":{metadata}}}]";
        _handler.Then(() => Answer(HttpStatusCode.TooManyRequests, $"{{\"error\":{{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\"{details}}}}}"));

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => Client().GetJsonAsync(s_uri, CancellationToken.None));

        Assert.True(error.IsQuotaExceeded);
        Assert.Equal(expected, error.QuotaDescription);
        Assert.Equal(value is null ? null : long.Parse(value, System.Globalization.CultureInfo.InvariantCulture), error.QuotaLimitValue);
        Assert.Single(_handler.Requests);
        Assert.Empty(_delays.Delays);
    }

    [Fact]
    public async Task RESOURCE_EXHAUSTED_as_a_reason_is_not_taken_for_a_quota_reason_and_a_429_without_ErrorInfo_is_retried()
    {
        // What the old check matched: the status name put in the reason. No Google API sends that.
        _handler.Then(() => Answer(HttpStatusCode.TooManyRequests, "{\"error\":{\"code\":429,\"message\":\"busy\",\"status\":\"RESOURCE_EXHAUSTED\"}}"))
            .Then(() => Answer(HttpStatusCode.OK, "{\"name\":\"s\"}"));

        using var document = await Client().GetJsonAsync(s_uri, CancellationToken.None);

        Assert.Equal(2, _handler.Requests.Count);
        Assert.False(new GoogleApiException(429, new GoogleError("RESOURCE_EXHAUSTED", "busy", Reason: "RESOURCE_EXHAUSTED"), 1).IsQuotaExceeded);
    }

    [Fact]
    public async Task A_reason_that_is_not_a_quota_reason_is_not_a_quota_refusal()
    {
        _handler.Then(() => Answer(HttpStatusCode.Forbidden, "{\"error\":{\"code\":403,\"message\":\"disabled\",\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"SERVICE_DISABLED\"}]}}"));

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => Client().GetJsonAsync(s_uri, CancellationToken.None));

        Assert.False(error.IsQuotaExceeded);
    }

    [Fact]
    public async Task NonJsonErrorBody_IsReportedShortened()
    {
        var html = "<html>" + new string('x', 1000) + "</html>";
        _handler.Then(() => Answer(HttpStatusCode.Forbidden, html, "text/html"));

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => Client().GetJsonAsync(s_uri, CancellationToken.None));

        Assert.StartsWith("403: Forbidden: <html>xxx", error.Describe(), StringComparison.Ordinal);
        Assert.True(error.Describe().Length < 400);
    }

    [Fact]
    public async Task RetryAfterAsADate_IsHonoured()
    {
        var now = DateTimeOffset.UtcNow;
        _handler.Then(() =>
            {
                var response = Answer(HttpStatusCode.TooManyRequests, "{}");
                response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(20));
                return response;
            })
            .Then(() => Answer(HttpStatusCode.OK, "{}"));

        using var _ = await Client().GetJsonAsync(s_uri, CancellationToken.None);

        Assert.InRange(Assert.Single(_delays.Delays), TimeSpan.FromSeconds(18), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task TransportError_IsRetried()
    {
        _handler.Then(() => throw new HttpRequestException("connection reset")).Then(() => Answer(HttpStatusCode.OK, "{}"));

        using var _ = await Client().GetJsonAsync(s_uri, CancellationToken.None);

        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task TokenFailure_FailsWithoutCallingTheApi()
    {
        var client = new GoogleApiClient(new HttpClient(_handler), new ThrowingTokenSource(), _delays.Policy(), TimeProvider.System, _logger);

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => client.GetJsonAsync(s_uri, CancellationToken.None));

        Assert.StartsWith("could not get an access token: metadata server said 500", error.Message, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task CredentialsUnavailable_IsTransient_RetriedWithBackoff_ThenTheCallSucceeds()
    {
        var tokens = new FlakyTokenSource(failures: 2);
        var client = new GoogleApiClient(new HttpClient(_handler), tokens, _delays.Policy(), TimeProvider.System, _logger);
        _handler.Then(() => Answer(HttpStatusCode.OK, "{}"));

        using var _ = await client.GetJsonAsync(s_uri, CancellationToken.None);

        Assert.Equal(3, tokens.Calls);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task CredentialsUnavailable_ToTheLastAttempt_FailsTransiently_ForALaterPart()
    {
        var tokens = new FlakyTokenSource(failures: int.MaxValue);
        var client = new GoogleApiClient(new HttpClient(_handler), tokens, _delays.Policy(), TimeProvider.System, _logger);

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => client.GetJsonAsync(s_uri, CancellationToken.None));

        Assert.Equal(new RetryPolicy().MaxAttempts, tokens.Calls);
        Assert.Null(error.HttpStatus);
        Assert.True(CollectorProgress.IsTransient(error));
        Assert.True(new CollectorProgress("cloud-run").Failed(error).RetryLater);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task CallerCancellation_DuringABackoff_IsACancellation()
    {
        using var cancel = new CancellationTokenSource();
        var policy = new RecordedDelays(cancel.Cancel).Policy();
        var client = new GoogleApiClient(new HttpClient(_handler), new FixedTokenSource(Token), policy, TimeProvider.System, _logger);
        _handler.Then(() => Answer(HttpStatusCode.ServiceUnavailable, "{}"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetJsonAsync(s_uri, cancel.Token));
    }

    [Theory]
    [InlineData(2, 0.0, 250)]
    [InlineData(2, 1.0, 500)]
    [InlineData(3, 0.5, 750)]
    [InlineData(5, 1.0, 4000)]
    [InlineData(9, 1.0, 8000)]
    public void Backoff_IsExponentialWithEqualJitter_Capped(int attempt, double random, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new RetryPolicy { Randomizer = () => random }.BackoffBefore(attempt, retryAfter: null));

    [Fact]
    public void Backoff_RetryAfterWinsWhenLonger_UpToItsCap()
    {
        var policy = new RetryPolicy { Randomizer = () => 0 };

        Assert.Equal(TimeSpan.FromSeconds(2), policy.BackoffBefore(2, TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.BackoffBefore(2, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.BackoffBefore(2, TimeSpan.FromHours(1)));
    }

    public void Dispose() => _handler.Dispose();

    private GoogleApiClient Client() =>
        new(new HttpClient(_handler), new FixedTokenSource(Token), _delays.Policy(), TimeProvider.System, _logger);

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    private sealed class FlakyTokenSource(int failures) : ReverseShellFunction.Infrastructure.GoogleApis.Auth.IAccessTokenSource
    {
        private int _calls;

        public int Calls => _calls;

        public Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= failures
                ? throw new ReverseShellFunction.Infrastructure.GoogleApis.Auth.CredentialsUnavailableException("the metadata server gave no access token: Connection refused")
                : Task.FromResult(Token);
    }

    private sealed class ThrowingTokenSource : ReverseShellFunction.Infrastructure.GoogleApis.Auth.IAccessTokenSource
    {
        public Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) =>
            throw new HttpRequestException("metadata server said 500");
    }
}
