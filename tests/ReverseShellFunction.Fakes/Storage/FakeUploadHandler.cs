using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// <c>POST /upload/storage/v1/b/{bucket}/o</c> (uploadType resumable, multipart or media) and the PUTs to a
/// resumable session URI, chunked with <c>Content-Range</c> or whole, including status queries.
/// </summary>
internal sealed class FakeUploadHandler
{
    private readonly FakeStorageState _state;
    private readonly FakeUploadFinalizer _finalizer;

    public FakeUploadHandler(FakeStorageState state)
    {
        _state = state;
        _finalizer = new FakeUploadFinalizer(state);
    }

    public async Task StartAsync(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        var preconditions = FakePreconditions.From(query);
        switch (query["uploadType"].ToString())
        {
            case "resumable":
                await StartResumableAsync(context, bucket, preconditions);
                break;
            case "multipart":
                await MultipartAsync(context, bucket, preconditions);
                break;
            case "media":
                var content = await FakeHttp.ReadBodyAsync(context);
                var fields = FakeUploadFields.Empty with { Name = query["name"].ToString(), ContentType = context.Request.ContentType };
                await _finalizer.FinishAsync(context, bucket, fields, preconditions, content);
                break;
            default:
                await FakeHttp.ErrorAsync(context, 400, "uploadType must be resumable, multipart or media.");
                break;
        }
    }

    public async Task ChunkAsync(HttpContext context)
    {
        var session = _state.Sessions.Find(context.Request.Query["upload_id"].ToString());
        if (session is null)
        {
            await FakeHttp.ErrorAsync(context, 404, "No such upload session.");
            return;
        }

        var header = context.Request.Headers.ContentRange.ToString();
        FakeContentRange range;
        if (header.Length == 0)
        {
            // One PUT with the whole object and no Content-Range.
            range = new FakeContentRange(0, null, context.Request.ContentLength);
        }
        else if (!FakeContentRange.TryParse(header, out range))
        {
            await FakeHttp.ErrorAsync(context, 400, $"Bad Content-Range '{header}'.");
            return;
        }

        await session.Gate.WaitAsync(context.RequestAborted);
        try
        {
            await ChunkLockedAsync(context, session, range);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task ChunkLockedAsync(HttpContext context, FakeUploadSession session, FakeContentRange range)
    {
        if (session.Result is { } done)
        {
            await FakeHttp.JsonAsync(context, 200, FakeObjectJson.Resource(done, _state.Root));
            return;
        }

        if (!range.IsQuery)
        {
            if (range.First > session.Received)
            {
                // A gap: keep what we have and tell the client where to resume.
                Incomplete(context, session.Received);
                return;
            }

            if (!await session.ReceiveAsync(context.Request.Body, range.First!.Value, context.RequestAborted))
            {
                await FakeHttp.ErrorAsync(context, 400, "More bytes than the upload declared.");
                return;
            }
        }

        if (range.Total is { } total && session.Received >= total)
        {
            var created = await _finalizer.FinishAsync(context, session.Bucket, session.Fields with { Name = session.Name }, session.Preconditions, session.TakeContent());
            if (created is null)
            {
                _state.Sessions.End(session);
            }

            session.Result = created;
            return;
        }

        Incomplete(context, session.Received);
    }

    private async Task StartResumableAsync(HttpContext context, string bucket, FakePreconditions preconditions)
    {
        var fields = FakeObjectJson.ReadFields(await FakeHttp.ReadBodyAsync(context));
        var name = context.Request.Query["name"].ToString() is { Length: > 0 } queryName ? queryName : fields.Name;
        if (string.IsNullOrEmpty(name))
        {
            await FakeHttp.ErrorAsync(context, 400, "Required: the object name.");
            return;
        }

        // Checked here to fail early, and again when the object is finalized, which is what counts.
        if (preconditions.Check(_state.Objects.Get(bucket, name)) is { } failed)
        {
            await FakeHttp.ErrorAsync(context, (int)failed, "At least one of the pre-conditions you specified did not hold.");
            return;
        }

        if (context.Request.Headers["X-Upload-Content-Type"].ToString() is { Length: > 0 } uploadType && fields.ContentType is null)
        {
            fields = fields with { ContentType = uploadType };
        }

        long? declared = long.TryParse(context.Request.Headers["X-Upload-Content-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : null;
        var session = _state.Sessions.Start(bucket, name, fields, preconditions, declared);
        var location = new Uri(_state.Root, $"upload/storage/v1/b/{bucket}/o?uploadType=resumable&name={Uri.EscapeDataString(name)}&upload_id={session.Id}");
        context.Response.StatusCode = 200;
        context.Response.Headers.Location = location.ToString();
        context.Response.Headers["X-GUploader-UploadID"] = session.Id;
    }

    /// <summary>
    /// <c>multipart/related</c> with exactly two parts, as the service requires: the object resource as JSON, then
    /// the bytes (their Content-Type is the object's unless the resource names one). The name may come from the
    /// resource or the <c>name</c> query parameter. Checksums and preconditions are checked when the object is made.
    /// </summary>
    private async Task MultipartAsync(HttpContext context, string bucket, FakePreconditions preconditions)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) || !type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            await FakeHttp.ErrorAsync(context, 400, $"A multipart upload must be multipart/related, not '{context.Request.ContentType}'.");
            return;
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            await FakeHttp.ErrorAsync(context, 400, "A multipart upload needs a multipart/related body with a boundary.");
            return;
        }

        // Each part is read before the next is asked for: moving on drains the part before.
        var reader = new MultipartReader(boundary, context.Request.Body);
        MultipartSection? metadata, media;
        FakeUploadFields? fields;
        byte[] content;
        try
        {
            metadata = await reader.ReadNextSectionAsync(context.RequestAborted);
            if (metadata is not null && !IsJson(metadata.ContentType))
            {
                await FakeHttp.ErrorAsync(context, 400, $"The first part of a multipart upload is the object resource as application/json, not '{metadata.ContentType}'.");
                return;
            }

            fields = metadata is null ? null : FakeObjectJson.ReadFields(await ReadSectionAsync(metadata, context.RequestAborted));
            media = await reader.ReadNextSectionAsync(context.RequestAborted);
            content = media is null ? [] : await ReadSectionAsync(media, context.RequestAborted);
            if (fields is null || media is null || await reader.ReadNextSectionAsync(context.RequestAborted) is not null)
            {
                await FakeHttp.ErrorAsync(context, 400, "A multipart upload has two parts: the object resource, then the data.");
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            // A body that does not parse (boundary never closed, bad part headers, resource not JSON) is the caller's fault.
            await FakeHttp.ErrorAsync(context, 400, $"The multipart body could not be read: {ex.Message}");
            return;
        }

        var name = fields.Name is { Length: > 0 } resourceName ? resourceName : context.Request.Query["name"].ToString();
        fields = fields with { Name = name, ContentType = fields.ContentType ?? media.ContentType };
        await _finalizer.FinishAsync(context, bucket, fields, preconditions, content);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadSectionAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await section.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>308 "Resume Incomplete", with the bytes persisted so far (none: no Range header).</summary>
    private static void Incomplete(HttpContext context, long received)
    {
        context.Response.StatusCode = 308;
        if (received > 0)
        {
            context.Response.Headers.Range = "bytes=0-" + (received - 1).ToString(CultureInfo.InvariantCulture);
        }
    }
}
