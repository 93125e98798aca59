using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// The fake's buckets: live object versions in memory, behind one lock so that a precondition check and the
/// write it guards are atomic (of concurrent create-only writes to one name, exactly one wins). Any bucket
/// name exists. Tests read and adjust objects here directly.
/// </summary>
public sealed class FakeObjectTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Bucket, string Name), FakeObject> _objects = [];
    private readonly Dictionary<string, TimeSpan> _retentionPeriods = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _lastGeneration;

    public FakeObjectTable(TimeProvider time)
    {
        _time = time;

        // Real generations are microsecond timestamps; starting from one keeps the values realistic.
        _lastGeneration = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    /// <summary>Gives the bucket a retention policy: new objects cannot be replaced until the period has passed.</summary>
    public void SetRetentionPolicy(string bucket, TimeSpan period)
    {
        lock (_lock)
        {
            _retentionPeriods[bucket] = period;
        }
    }

    public FakeObject? Get(string bucket, string name)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault((bucket, name));
        }
    }

    /// <summary>Live objects whose names start with <paramref name="prefix"/>, in name (byte) order.</summary>
    public IReadOnlyList<FakeObject> List(string bucket, string prefix = "")
    {
        lock (_lock)
        {
            return [.. _objects.Values
                .Where(o => o.Bucket == bucket && o.Name.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(o => o.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Writes a new version if the preconditions hold and no hold or retention protects the live one.</summary>
    [SuppressMessage("Security", "CA5351", Justification = "MD5 is the md5Hash integrity field of the JSON API, not a security control.")]
    public FakeWriteOutcome Create(FakeObjectDraft draft, FakePreconditions preconditions)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(preconditions);
        // The table keeps the draft's memory as it is: uploads hand over a fresh array, not a copy of one.
        var content = draft.Content;
        var md5 = Convert.ToBase64String(MD5.HashData(content.Span));
        var crc32c = FakeCrc32C.Base64(content.Span);
        lock (_lock)
        {
            var live = _objects.GetValueOrDefault((draft.Bucket, draft.Name));
            if (preconditions.Check(live) is { } failed)
            {
                return new(null, (int)failed, $"At least one of the pre-conditions you specified did not hold. ({draft.Name})");
            }

            var now = _time.GetUtcNow();
            if (live is not null && live.IsProtected(now))
            {
                return new(null, (int)HttpStatusCode.Forbidden, $"Object '{draft.Bucket}/{draft.Name}' is under active Temporary hold, Event-Based hold or retention and cannot be deleted, overwritten or archived until it expires.");
            }

            var created = new FakeObject
            {
                Bucket = draft.Bucket,
                Name = draft.Name,
                Content = content,
                Generation = ++_lastGeneration,
                ContentType = draft.ContentType ?? "application/octet-stream",
                Metadata = draft.Metadata ?? new Dictionary<string, string>(),
                CustomTime = draft.CustomTime,
                TimeCreated = now,
                Updated = now,
                Md5Hash = md5,
                Crc32c = crc32c,
                RetentionExpirationTime = _retentionPeriods.TryGetValue(draft.Bucket, out var period) ? now + period : null,
            };
            _objects[(draft.Bucket, draft.Name)] = created;
            return new(created, (int)HttpStatusCode.OK, null);
        }
    }

    /// <summary>Puts an object in place without preconditions, for a test's starting state.</summary>
    public FakeObject Insert(string bucket, string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream") =>
        Create(new FakeObjectDraft { Bucket = bucket, Name = name, Content = content, ContentType = contentType }, FakePreconditions.None).Created
            ?? throw new InvalidOperationException($"'{name}' is protected and cannot be replaced.");

    /// <summary>Changes an object's metadata (holds, retention, …) as a PATCH would: the metageneration goes up.</summary>
    public FakeObject Update(string bucket, string name, Func<FakeObject, FakeObject> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            var live = _objects.GetValueOrDefault((bucket, name)) ?? throw new KeyNotFoundException($"No object '{bucket}/{name}'.");
            // Only metadata changes: the bytes, their hashes and the generation stay those of the live version.
            var updated = change(live) with
            {
                Bucket = live.Bucket,
                Name = live.Name,
                Content = live.Content,
                Generation = live.Generation,
                Md5Hash = live.Md5Hash,
                Crc32c = live.Crc32c,
                TimeCreated = live.TimeCreated,
                Metageneration = live.Metageneration + 1,
                Updated = _time.GetUtcNow(),
            };
            _objects[(bucket, name)] = updated;
            return updated;
        }
    }

    /// <summary>Deletes the live object regardless of retention, as a test playing an insider with admin rights would.</summary>
    public bool Remove(string bucket, string name)
    {
        lock (_lock)
        {
            return _objects.Remove((bucket, name));
        }
    }
}
