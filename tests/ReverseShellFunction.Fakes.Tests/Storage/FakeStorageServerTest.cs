using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Fakes.Tests.Storage;

/// <summary>
/// The fake's JSON API behaviour checked with plain HTTP requests: what the store's client does not exercise
/// (media uploads, listing with a delimiter), and the multipart upload's refusals, which the store relies on.
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

    private async Task<HttpResponseMessage> PostMultipartAsync(string resource, byte[] content, string query = "")
    {
        using var body = new MultipartContent("related");
        body.Add(new StringContent(resource, Encoding.UTF8, "application/json"));
        body.Add(new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });
        return await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=multipart&ifGenerationMatch=0" + query, UriKind.Relative), body);
    }

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
    public async Task MultipartUpload_IfGenerationMatchZeroOnAnExistingName_Is412_AndTheObjectIsKept()
    {
        Server.Objects.Insert("bk", "x", "old"u8.ToArray());

        using var response = await PostMultipartAsync("""{"name":"x"}""", "new"u8.ToArray());

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(412, error["code"]!.GetValue<int>());
        Assert.Equal("conditionNotMet", error["errors"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("old"u8.ToArray(), Server.Objects.Get("bk", "x")!.Content.ToArray());
    }

    [Theory]
    [InlineData("crc32c")]
    [InlineData("md5Hash")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "MD5 is the md5Hash integrity field of the JSON API, not a security control.")]
    public async Task MultipartUpload_ChecksumNotMatchingTheBytes_Is400_AndNothingIsCreated(string field)
    {
        var other = field == "crc32c" ? FakeCrc32C.Base64("other"u8) : Convert.ToBase64String(System.Security.Cryptography.MD5.HashData("other"u8));

        using var response = await PostMultipartAsync($$"""{"name":"x","{{field}}":"{{other}}"}""", "hello"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("match calculated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(Server.Objects.Get("bk", "x"));
    }

    [Fact]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "MD5 is the md5Hash integrity field of the JSON API, not a security control.")]
    public async Task MultipartUpload_ChecksumsMatchingTheBytes_AreAccepted_AndTheNameMayComeFromTheQuery()
    {
        var md5 = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData("hello"u8));

        using var response = await PostMultipartAsync($$"""{"crc32c":"{{FakeCrc32C.Base64("hello"u8)}}","md5Hash":"{{md5}}"}""", "hello"u8.ToArray(), query: "&name=q%2Fy");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("hello"u8.ToArray(), Server.Objects.Get("bk", "q/y")!.Content.ToArray());
    }

    [Fact]
    public async Task MultipartUpload_NotMultipartRelated_Is400()
    {
        using var body = new MultipartFormDataContent { { new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json"), "metadata" }, { new ByteArrayContent("hello"u8.ToArray()), "file" } };

        using var response = await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=multipart&ifGenerationMatch=0", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(Server.Objects.Get("bk", "x"));

        // A form-data body is no object resource: the JSON API's definition refuses it too (sent on purpose).
        Assert.NotEmpty(Server.Conformance.Take());
    }

    [Fact]
    public async Task MultipartUpload_ResourceNotJson_OrAThirdPart_Is400()
    {
        using (var notJson = new MultipartContent("related"))
        {
            notJson.Add(new StringContent("name=x", Encoding.UTF8, "text/plain"));
            notJson.Add(new ByteArrayContent("hello"u8.ToArray()));
            using var response = await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=multipart", UriKind.Relative), notJson);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var three = new MultipartContent("related"))
        {
            three.Add(new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json"));
            three.Add(new ByteArrayContent("hello"u8.ToArray()));
            three.Add(new ByteArrayContent("more"u8.ToArray()));
            using var response = await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=multipart", UriKind.Relative), three);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Null(Server.Objects.Get("bk", "x"));

        // "name=x" is no object resource: the JSON API's definition refuses it too (sent on purpose).
        Assert.NotEmpty(Server.Conformance.Take());
    }

    [Fact]
    public async Task MultipartUpload_BodyCutBeforeTheClosingBoundary_Is400()
    {
        using var body = new ByteArrayContent(Encoding.ASCII.GetBytes("--b\r\nContent-Type: application/json\r\n\r\n{\"name\":\"x\"}\r\n--b\r\n\r\nhel"));
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/related; boundary=b");

        using var response = await Http.PostAsync(new Uri("upload/storage/v1/b/bk/o?uploadType=multipart", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(Server.Objects.Get("bk", "x"));
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
