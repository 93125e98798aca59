namespace ReverseShellFunction.Fakes.Storage;

/// <summary>The kinds of request the fake tells apart, for fault injection and the request log.</summary>
public enum FakeStorageOperation
{
    /// <summary>POST to the upload path: starts a resumable session, or a whole multipart or media upload.</summary>
    UploadStart,

    /// <summary>PUT to a resumable session URI: a chunk of bytes or a status query.</summary>
    UploadChunk,

    /// <summary>GET of an object's metadata.</summary>
    GetObject,

    /// <summary>GET of an object's bytes (<c>alt=media</c>).</summary>
    Download,

    /// <summary>GET of the object list.</summary>
    List,

    /// <summary>GET of the bucket resource (its retention policy, holds and default key).</summary>
    GetBucket,

    Unknown,
}
