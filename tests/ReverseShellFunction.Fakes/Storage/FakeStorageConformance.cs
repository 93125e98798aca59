using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using ReverseShellFunction.Fakes.Definitions;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// Holds Cloud Storage requests against the JSON API's definition (storage v1). Upload starts carry the object
/// resource as the JSON body (resumable) or as the first part of a <c>multipart/related</c> body: that resource is
/// what is checked; the bytes are not. The PUTs to a resumable session URI belong to the upload protocol, which the
/// discovery document does not describe, and are not checked.
/// </summary>
internal static class FakeStorageConformance
{
    /// <summary>True when the request may go on; otherwise it was answered (400, or 404 for a path no method serves).</summary>
    public static async Task<bool> CheckAsync(HttpContext context, FakeStorageState state, FakeStorageOperation operation, string rawPath)
    {
        if (operation == FakeStorageOperation.UploadChunk)
        {
            return true;
        }

        context.Items[FakeHttp.Conformance] = state.Conformance;
        var resource = operation == FakeStorageOperation.UploadStart ? await ResourceAsync(context) : null;
        var problems = state.Conformance.CheckRequest(context, ApiDefinition.Storage, rawPath, resource);
        if (problems.Count == 0)
        {
            return true;
        }

        var found = ApiDefinition.Storage.Find(context.Request.Method, rawPath) is not null;
        await FakeHttp.ErrorAsync(context, found ? 400 : 404, string.Join(" ", problems));
        return false;
    }

    /// <summary>The object resource of an upload start, read without consuming the body the handler reads next.</summary>
    private static async Task<string?> ResourceAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        try
        {
            if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) && type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
                if (string.IsNullOrEmpty(boundary))
                {
                    return null;
                }

                var section = await new MultipartReader(boundary, context.Request.Body).ReadNextSectionAsync(context.RequestAborted);
                return section is null ? null : await new StreamReader(section.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
            }

            if (context.Request.Query["uploadType"] == "media")
            {
                return null;
            }

            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true);
            return await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            // The handler reads the body again and answers what is wrong with it.
            return null;
        }
        finally
        {
            context.Request.Body.Position = 0;
        }
    }
}
