using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Tests.Support;

/// <summary>A collector that writes fixed files and reports a fixed status, so bundles have known content.</summary>
internal sealed class FakeCollector : ICollector
{
    private readonly CollectorStatus _status;
    private readonly IReadOnlyDictionary<string, byte[]> _files;

    public FakeCollector(string name, CollectorStatus status, IReadOnlyDictionary<string, byte[]>? files = null)
    {
        Name = name;
        _status = status;
        _files = files ?? new Dictionary<string, byte[]>();
    }

    public string Name { get; }

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        foreach (var (path, content) in _files)
        {
            await using var file = evidence.CreateFile(path);
            await file.WriteAsync(content, cancellationToken);
        }

        return new CollectorReport
        {
            Name = Name,
            Status = _status,
            Reason = _status == CollectorStatus.Ok ? null : "PermissionDenied: the test says so",
            ItemCount = _files.Count,
            Files = [.. _files.Keys],
        };
    }

    /// <summary>Three collectors that succeed and one that fails: the table shows "3 ok, 1 failed".</summary>
    public static IReadOnlyList<ICollector> StandardSet(byte[]? largeLog = null) =>
    [
        new FakeCollector("cloud-run", CollectorStatus.Ok, Files("cloud-run/service.json", "{\"name\":\"checkout-api\"}"u8.ToArray())),
        new FakeCollector("container-logs", CollectorStatus.Ok, Files("logs/container.jsonl", largeLog ?? "{\"textPayload\":\"listening\"}\n"u8.ToArray())),
        new FakeCollector("related-findings", CollectorStatus.Ok, Files("related-findings.json", "[]"u8.ToArray())),
        new FakeCollector("audit-logs", CollectorStatus.Failed),
    ];

    private static Dictionary<string, byte[]> Files(string path, byte[] content) => new() { [path] = content };
}
