using Microsoft.AspNetCore.Http.Features;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// Tells requests apart from the raw target (object names arrive percent-encoded, <c>/</c> as <c>%2F</c>, and
/// must not be decoded by routing), applies armed faults, dispatches, and logs each request.
/// </summary>
internal sealed class FakeStorageRouter
{
    private const string UploadPath = "/upload/storage/v1/b/";
    private const string ApiPath = "/storage/v1/b/";
    private const string DownloadPath = "/download/storage/v1/b/";

    private readonly FakeStorageState _state;
    private readonly FakeUploadHandler _uploads;
    private readonly FakeReadHandler _reads;

    public FakeStorageRouter(FakeStorageState state)
    {
        _state = state;
        _uploads = new FakeUploadHandler(state);
        _reads = new FakeReadHandler(state);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var path = target.Split('?', 2)[0];
        var (operation, bucket, name) = Classify(context.Request.Method, path, context.Request.Query["alt"] == "media");
        var entry = _state.Requests.Arrived(operation, context.Request.Method, target);
        context.Response.OnStarting(() =>
        {
            _state.Requests.Answered(entry, context.Response.StatusCode);
            return Task.CompletedTask;
        });
        try
        {
            if (Interlocked.Read(ref _state.LatencyTicks) is > 0 and var latency)
            {
                await Task.Delay(TimeSpan.FromTicks(latency), context.RequestAborted);
            }

            // Held against the definition before any fault: a request Google would refuse is refused, whatever is armed.
            if (!await FakeStorageConformance.CheckAsync(context, _state, operation, path))
            {
                return;
            }

            if (await ApplyFaultAsync(context, operation, entry))
            {
                return;
            }

            if (!context.Response.HasStarted && context.Response.StatusCode == 200)
            {
                await DispatchAsync(context, operation, bucket, name);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A fake's bug should read as one, not as a bare 500 the client reports without detail.
            await FakeHttp.ErrorAsync(context, 500, $"The fake failed: {ex}");
        }
    }

    private Task DispatchAsync(HttpContext context, FakeStorageOperation operation, string bucket, string name) => operation switch
    {
        FakeStorageOperation.UploadStart => _uploads.StartAsync(context, bucket),
        FakeStorageOperation.UploadChunk => _uploads.ChunkAsync(context),
        FakeStorageOperation.GetObject => _reads.GetAsync(context, bucket, name),
        FakeStorageOperation.Download => _reads.DownloadAsync(context, bucket, name),
        FakeStorageOperation.List => _reads.ListAsync(context, bucket),
        FakeStorageOperation.GetBucket => FakeHttp.JsonAsync(context, 200, _state.Bucket.Resource(bucket)),
        _ => FakeHttp.ErrorAsync(context, 404, $"The fake does not serve {context.Request.Method} {context.Request.Path}."),
    };

    /// <summary>True when the connection was dropped; an error status is written here and ends the request.</summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, FakeStorageOperation operation, int entry)
    {
        while (_state.Faults.Take(operation) is { } fault)
        {
            switch (fault.Kind)
            {
                case FakeFaultKind.Delay:
                    await Task.Delay(fault.Delay, context.RequestAborted);
                    continue;
                case FakeFaultKind.Status:
                    await FakeHttp.ErrorAsync(context, fault.StatusCode, $"Injected fault: {fault.StatusCode}.");
                    return false;
                case FakeFaultKind.Drop:
                    // Take part of the body so the client is mid-send, then reset the connection.
                    var buffer = new byte[Math.Clamp((context.Request.ContentLength ?? 0) / 2, 1, 64 * 1024)];
                    _ = await context.Request.Body.ReadAsync(buffer, context.RequestAborted);
                    _state.Requests.Answered(entry, 0);
                    context.Abort();
                    return true;
            }
        }

        return false;
    }

    private static (FakeStorageOperation Operation, string Bucket, string Name) Classify(string method, string path, bool media)
    {
        if (path.StartsWith(UploadPath, StringComparison.Ordinal) && BucketAndName(path[UploadPath.Length..]) is (var uploadBucket, ""))
        {
            return (HttpMethods.IsPost(method) ? FakeStorageOperation.UploadStart : HttpMethods.IsPut(method) ? FakeStorageOperation.UploadChunk : FakeStorageOperation.Unknown, uploadBucket, "");
        }

        if (!HttpMethods.IsGet(method))
        {
            return (FakeStorageOperation.Unknown, "", "");
        }

        if (path.StartsWith(DownloadPath, StringComparison.Ordinal) && BucketAndName(path[DownloadPath.Length..]) is (var downloadBucket, { Length: > 0 } downloadName))
        {
            return (FakeStorageOperation.Download, downloadBucket, downloadName);
        }

        if (path.StartsWith(ApiPath, StringComparison.Ordinal) && path[ApiPath.Length..] is { Length: > 0 } bucketOnly && !bucketOnly.Contains('/', StringComparison.Ordinal))
        {
            return (FakeStorageOperation.GetBucket, bucketOnly, "");
        }

        if (path.StartsWith(ApiPath, StringComparison.Ordinal) && BucketAndName(path[ApiPath.Length..]) is (var bucket, var name))
        {
            return name.Length == 0 ? (FakeStorageOperation.List, bucket, "")
                : (media ? FakeStorageOperation.Download : FakeStorageOperation.GetObject, bucket, name);
        }

        return (FakeStorageOperation.Unknown, "", "");
    }

    /// <summary><c>{bucket}/o</c> or <c>{bucket}/o/{encodedName}</c>; null for anything else.</summary>
    private static (string Bucket, string Name)? BucketAndName(string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var bucket = rest[..slash];
        var tail = rest[(slash + 1)..];
        return tail == "o" ? (bucket, "")
            : tail.StartsWith("o/", StringComparison.Ordinal) && tail.Length > 2 ? (bucket, Uri.UnescapeDataString(tail[2..]))
            : null;
    }
}
