using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Endpoints;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Endpoints;

/// <summary>
/// The edge under odd input that is not a bug: stored evidence that does not read answers 503 naming the object
/// (never 500), and a body no Pub/Sub push can be is refused with 413 before it is read.
/// </summary>
public sealed class EdgeRobustnessTest : IDisposable
{
    private static readonly byte[] s_pushBody = TestData.Sample("reverse-shell.pubsub-push.json");
    private readonly TempFolder _folder = new();
    private readonly CapturedLogs _logs = new();

    public void Dispose()
    {
        _folder.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData("{\"summary\": ")]
    [InlineData("{\"summary\": null, \"bundle\": null}")]
    public async Task UnreadableStoredIndexEntry_Redelivery_Answers503NamingTheObject(string damaged)
    {
        await using var host = await HostAsync();
        var id = await StoreThenDamageAsync(host, damaged);

        var redelivery = await host.Client.PostAsync(new Uri("", UriKind.Relative), Json(s_pushBody));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, redelivery.StatusCode);
        var objectName = BundleLayout.IndexObject(id);
        Assert.Contains(objectName, await redelivery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, _logs.Lines.Count(l => l.Level == LogLevel.Error && l.Message.StartsWith($"The stored index entry {objectName} is unreadable", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("{\"summary\": ")]
    [InlineData("{\"summary\": null, \"bundle\": null}")]
    public async Task UnreadableStoredIndexEntry_Completion_Answers503NamingTheObject(string damaged)
    {
        await using var host = await HostAsync();
        var id = await StoreThenDamageAsync(host, damaged);

        var completion = await host.Client.PostAsync(new Uri("completions", UriKind.Relative), Json(Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{id.Value}\",\"part\":2}}")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, completion.StatusCode);
        var objectName = BundleLayout.IndexObject(id);
        Assert.Contains(objectName, await completion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, _logs.Lines.Count(l => l.Level == LogLevel.Error && l.Message.StartsWith($"The stored index entry {objectName} is unreadable", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeclaredBodyBeyondTheLimit_Is413_BeforeItIsRead_NothingStored()
    {
        await using var host = await HostAsync();
        using var content = new StreamContent(new EndlessStream(RequestBodyReader.MaxRequestBytes + 1));
        content.Headers.ContentLength = RequestBodyReader.MaxRequestBytes + 1;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await host.Client.PostAsync(new Uri("", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("request body too large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "quarantine")));
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Refused a request body of more than", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChunkedBodyBeyondTheLimit_Is413_ReadingStopsAtTheLimit()
    {
        await using var host = await HostAsync();
        var source = new EndlessStream(RequestBodyReader.MaxRequestBytes * 4);
        using var content = new StreamContent(source);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        HttpResponseMessage? response = null;
        try
        {
            response = await host.Client.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // The server may answer and close while the client is still sending; what it read is checked below.
        }

        if (response is not null)
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        Assert.True(source.Position < RequestBodyReader.MaxRequestBytes * 2, $"{source.Position} bytes sent before the refusal");
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Refused a request body of more than", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "quarantine")));
    }

    /// <summary>
    /// Completions for bundles that do not exist (a stale task, or anyone who can reach the endpoint): each is answered
    /// 200 nothing-left, so Cloud Tasks does not retry it, and together they cost one warning a minute, not an error each.
    /// </summary>
    [Fact]
    public async Task TwoThousandCompletionsForBundlesThatDoNotExist_Answered200NothingLeft_OneWarningNoError()
    {
        await using var host = await HostAsync();
        var errorsBefore = _logs.Lines.Count(l => l.Level >= LogLevel.Error);
        var statuses = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, string Body)>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 2_000), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var id = BundleId.For($"organizations/1/sources/2/findings/nothere{i:D6}", new DateTimeOffset(2026, 11, 28, 21, 14, 42, TimeSpan.Zero));
            using var response = await host.Client.PostAsync(new Uri("completions", UriKind.Relative), Json(Encoding.UTF8.GetBytes($"{{\"bundleId\":\"{id.Value}\",\"part\":{2 + (i % 3)}}}")), ct);
            statuses.Add((response.StatusCode, await response.Content.ReadAsStringAsync(ct)));
        });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.All(statuses, s => Assert.Contains("\"outcome\": \"nothing-left\"", s.Body, StringComparison.Ordinal));
        Assert.Equal(errorsBefore, _logs.Lines.Count(l => l.Level >= LogLevel.Error));
        var warning = Assert.Single(_logs.Lines, l => l.Message.Contains("found no part", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.zip", SearchOption.AllDirectories));
    }

    /// <summary>Stores the sample's part 1, then overwrites its index entry with <paramref name="damaged"/>.</summary>
    private async Task<BundleId> StoreThenDamageAsync(FunctionHost host, string damaged)
    {
        var first = await host.Client.PostAsync(new Uri("", UriKind.Relative), Json(s_pushBody));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var index = Directory.GetFiles(Path.Combine(_folder.Path, "index"), "*.json", SearchOption.AllDirectories).Single();
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(index, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(index, damaged);
        return BundleId.Parse(Path.GetFileNameWithoutExtension(index));
    }

    private Task<FunctionHost> HostAsync() =>
        FunctionHost.StartAsync(
            new Dictionary<string, string>(),
            new LocalEvidenceStore(_folder.Path),
            configure: services => services.AddSingleton<ILoggerProvider>(_logs));

    private static ByteArrayContent Json(byte[] body) => new(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    /// <summary>A body of <c>{</c> bytes, produced as it is read, so a huge request costs no memory in the test.</summary>
    private sealed class EndlessStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => Interlocked.Read(ref _position);
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Position);
            buffer.AsSpan(offset, n).Fill((byte)'{');
            Interlocked.Add(ref _position, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
