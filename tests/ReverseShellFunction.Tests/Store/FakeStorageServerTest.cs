using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// The fake's JSON API behaviour that the client in these tests does not exercise (it always uploads resumably
/// and lists without a delimiter), checked with plain HTTP requests.
/// </summary>
public sealed class FakeStorageServerTest : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private FakeStorageServer? _server;

    private FakeStorageServer Server => _server!;

    private HttpClient Http => _http;

    public async Task InitializeAsync()
    {
        _server = await FakeStorageServer.StartAsync();
        _http.BaseAddress = _server.Root;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task MultipartUpload_CreatesTheObjectWithItsMetadata()
    {
        using var body = new MultipartContent("related");
        body.Add(new StringContent("""{"name":"a/b.json","metadata":{"k":"v"},"customTime":"2026-11-28T21:14:07.482Z"}""", Encoding.UTF8, "application/json"));
        body.Add(new ByteArrayContent("hello"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } });

        using var response = await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=multipart&ifGenerationMatch=0", UriKind.Relative), body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("a/b.json", json["name"]!.GetValue<string>());
        Assert.Equal("5", json["size"]!.GetValue<string>());
        Assert.Equal("text/plain", json["contentType"]!.GetValue<string>());
        Assert.Equal(FakeCrc32C.Base64("hello"u8), json["crc32c"]!.GetValue<string>());
        Assert.Equal("2026-11-28T21:14:07.482Z", json["customTime"]!.GetValue<string>());
        Assert.Equal("v", Server.Objects.Get("bk", "a/b.json")!.Metadata["k"]);
    }

    [Fact]
    public async Task MediaUpload_IfGenerationMatchZeroOnAnExistingName_Is412()
    {
        Server.Objects.Insert("bk", "x", "old"u8.ToArray());

        using var response = await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=media&name=x&ifGenerationMatch=0", UriKind.Relative), new ByteArrayContent("new"u8.ToArray()));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("old"u8.ToArray(), Server.Objects.Get("bk", "x")!.Content.ToArray());
    }

    [Fact]
    public void GenerationsAndMetagenerations_Advance()
    {
        var first = Server.Objects.Insert("bk", "x", "1"u8.ToArray());
        var second = Server.Objects.Insert("bk", "x", "2"u8.ToArray());
        var updated = Server.Objects.Update("bk", "x", o => o with { TemporaryHold = true });

        Assert.True(second.Generation > first.Generation);
        Assert.Equal(second.Generation, updated.Generation);
        Assert.Equal(2, updated.Metageneration);
        Assert.Null(Server.Objects.Create(
            new FakeObjectDraft { Bucket = "bk", Name = "x", Content = "3"u8.ToArray() }, FakePreconditions.None).Created);
    }

    [Fact]
    public async Task Get_WithPreconditionsAndGeneration()
    {
        var item = Server.Objects.Insert("bk", "d/x", "abc"u8.ToArray());

        Assert.Equal(HttpStatusCode.NotModified, (await Http.GetAsync(new Uri($"storage/v1/b/bk/o/d%2Fx?ifGenerationNotMatch={item.Generation}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Http.GetAsync(new Uri("storage/v1/b/bk/o/d%2Fx?ifMetagenerationMatch=7", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri("storage/v1/b/bk/o/d%2Fx?alt=media&generation=1", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri("storage/v1/b/bk/o/nothing", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Download_HonoursRange()
    {
        Server.Objects.Insert("bk", "x", "0123456789"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("storage/v1/b/bk/o/x?alt=media", UriKind.Relative));
        request.Headers.Range = new RangeHeaderValue(2, 4);

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("234", await response.Content.ReadAsStringAsync());
        Assert.Equal("bytes 2-4/10", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task List_WithDelimiterPagesObjectsAndPrefixesInNameOrder()
    {
        foreach (var name in new[] { "p/b", "p/a", "p/d/1", "p/d/2", "p/c", "q/z" })
        {
            Server.Objects.Insert("bk", name, "x"u8.ToArray());
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = $"storage/v1/b/bk/o?prefix=p%2F&delimiter=%2F&maxResults=2{(token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token))}";
            var page = JsonNode.Parse(await Http.GetStringAsync(new Uri(url, UriKind.Relative)))!;
            names.AddRange(page["items"]?.AsArray().Select(i => i!["name"]!.GetValue<string>()) ?? []);
            names.AddRange(page["prefixes"]?.AsArray().Select(p => p!.GetValue<string>()) ?? []);
            token = page["nextPageToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(["p/a", "p/b", "p/c", "p/d/"], names.Order(StringComparer.Ordinal));
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task ResumableUpload_ChunksStatusQueryAndResend()
    {
        using var start = await Http.PostAsync(
            new Uri("upload/storage/v1/b/bk/o?uploadType=resumable&name=r", UriKind.Relative),
            new StringContent("{}", Encoding.UTF8, "application/json"));
        var session = start.Headers.Location!;

        Assert.Equal(308, (int)(await PutAsync(session, "bytes 0-3/*", "abcd")).StatusCode);
        var resent = await PutAsync(session, "bytes 2-5/*", "cdef");
        Assert.Equal("bytes=0-5", resent.Headers.GetValues("Range").Single());
        var query = await PutAsync(session, "bytes */*", "");
        Assert.Equal("bytes=0-5", query.Headers.GetValues("Range").Single());
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(session, "bytes 6-7/8", "gh")).StatusCode);

        Assert.Equal("abcdefgh"u8.ToArray(), Server.Objects.Get("bk", "r")!.Content.ToArray());
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(session, "bytes */8", "")).StatusCode);
    }

    [Fact]
    public async Task RunAsync_ServesUntilCancelledAndSaysHowToUseIt()
    {
        using var output = new SignallingWriter();
        using var stop = new CancellationTokenSource();

        var running = FakeStorageServer.RunAsync(0, output, stop.Token);
        var banner = await output.FirstLine.WaitAsync(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Contains("/storage/v1/", banner, StringComparison.Ordinal);
        Assert.Contains("STORAGE_EMULATOR_HOST=127.0.0.1:", output.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PutAsync(Uri session, string range, string body)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Range", range);
        return await Http.PutAsync(session, content);
    }

    /// <summary>A StringWriter that completes a task when the first line is written.</summary>
    private sealed class SignallingWriter : StringWriter
    {
        private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> FirstLine => _firstLine.Task;

        public override Task WriteLineAsync(string? value)
        {
            base.WriteLine(value);
            _firstLine.TrySetResult(value ?? "");
            return Task.CompletedTask;
        }
    }
}
