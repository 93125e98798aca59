using System.Text;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Tests.Support;

/// <summary>A collector that writes a fixed file and reports a fixed status, or throws, or hangs until cancelled.</summary>
internal sealed class ScriptedCollector(string name, CollectorStatus status = CollectorStatus.Ok, string? content = "{}", Exception? throws = null, bool hang = false) : ICollector
{
    public int Calls { get; private set; }

    public string Name => name;

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        Calls++;
        if (content is not null)
        {
            await using var file = evidence.CreateFile($"{name}.json");
            await file.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
        }

        if (throws is not null)
        {
            throw throws;
        }

        if (hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return new CollectorReport { Name = name, Status = status, ItemCount = 1, Files = content is null ? [] : [$"{name}.json"] };
    }
}
