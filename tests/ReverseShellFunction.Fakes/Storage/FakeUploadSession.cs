namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// A resumable upload in progress: where it goes, its preconditions, and the bytes received so far. When the
/// client declares the length up front (X-Upload-Content-Length), chunks are read straight into one array of
/// that size, which becomes the object's content: the fake then holds exactly one copy of each object, which
/// keeps memory measurements through it readable.
/// </summary>
internal sealed class FakeUploadSession
{
    private readonly byte[]? _whole;
    private readonly List<byte[]> _chunks = [];

    public FakeUploadSession(string id, string bucket, string name, FakeUploadFields fields, FakePreconditions preconditions, long? declaredLength)
    {
        Id = id;
        Bucket = bucket;
        Name = name;
        Fields = fields;
        Preconditions = preconditions;
        _whole = declaredLength >= 0 && declaredLength <= Array.MaxLength ? new byte[declaredLength.Value] : null;
    }

    public string Id { get; }
    public string Bucket { get; }
    public string Name { get; }
    public FakeUploadFields Fields { get; }
    public FakePreconditions Preconditions { get; }

    /// <summary>Serializes the PUTs of one session; the client sends them one at a time anyway.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public long Received { get; private set; }

    /// <summary>The object the session created, so a repeated final PUT gets the same answer.</summary>
    public FakeObject? Result { get; set; }

    /// <summary>
    /// Appends a chunk that starts at <paramref name="first"/>, skipping the part the session already has (a
    /// resent chunk). False when the chunk overruns the declared length.
    /// </summary>
    public async Task<bool> ReceiveAsync(Stream body, long first, CancellationToken cancellationToken)
    {
        var scratch = new byte[64 * 1024];
        for (var skip = Received - first; skip > 0;)
        {
            var read = await body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(skip, scratch.Length)), cancellationToken);
            if (read == 0)
            {
                return true;
            }

            skip -= read;
        }

        while (true)
        {
            var target = _whole is null ? scratch.AsMemory() : _whole.AsMemory((int)Math.Min(Received, _whole.Length));
            if (target.IsEmpty)
            {
                // The declared length is reached: anything more is an overrun.
                return await body.ReadAsync(scratch.AsMemory(0, 1), cancellationToken) == 0;
            }

            var read = await body.ReadAsync(target, cancellationToken);
            if (read == 0)
            {
                return true;
            }

            if (_whole is null)
            {
                _chunks.Add(scratch[..read]);
            }

            Received += read;
        }
    }

    /// <summary>All bytes received, as one array the object table takes over.</summary>
    public byte[] TakeContent()
    {
        if (_whole is not null)
        {
            return Received == _whole.Length ? _whole : _whole[..(int)Received];
        }

        var content = new byte[Received];
        var at = 0;
        foreach (var chunk in _chunks)
        {
            chunk.CopyTo(content, at);
            at += chunk.Length;
        }

        _chunks.Clear();
        return content;
    }
}
