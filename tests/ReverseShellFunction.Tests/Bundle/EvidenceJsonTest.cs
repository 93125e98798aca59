using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Collect.Support;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>
/// The stored JSON shapes come from compile-time metadata (no reflection on a cold instance's first event),
/// and that metadata writes exactly the bytes reflection wrote: a stored bundle's files re-serialize unchanged.
/// </summary>
public sealed class EvidenceJsonTest
{
    public static TheoryData<Type> StoredShapes() =>
    [
        typeof(DeliveryInfo), typeof(EvidenceSummary), typeof(Manifest), typeof(IndexEntry), typeof(PendingRecord),
        typeof(QuarantineRecord), typeof(SealRecord), typeof(DsseEnvelope), typeof(InTotoStatement), typeof(BundleNotification),
        typeof(PipelineResult), typeof(CompletionRequest),
    ];

    [Theory]
    [MemberData(nameof(StoredShapes))]
    public void StoredShape_ResolvesFromTheSourceGeneratedContext(Type shape)
    {
        var info = EvidenceJson.Options.GetTypeInfo(shape);

        Assert.Same(EvidenceJsonContext.Default, info.OriginatingResolver);
    }

    [Fact]
    public async Task StoredFiles_ReserializeToTheSameBytes_WithGeneratedAndWithReflectionMetadata()
    {
        await using var harness = await PipelineHarness.StartAsync();
        var result = await harness.ReplaySampleAsync();
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.True(BundleId.TryParse(result.BundleId, out var id));
        var bundle = await harness.ReadBundleAsync(result.BundleId!);
        var index = (await harness.Store.ReadIndexEntryAsync(id, CancellationToken.None))!;
        var reflection = new JsonSerializerOptions(EvidenceJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

        void SameBytes<T>(byte[] stored)
        {
            var value = EvidenceJson.Deserialize<T>(stored);
            Assert.Equal(stored, EvidenceJson.Serialize(value));
            Assert.Equal(stored, JsonSerializer.SerializeToUtf8Bytes(value, reflection));
        }

        SameBytes<EvidenceSummary>(bundle[BundleLayout.Entries.Summary]);
        SameBytes<Manifest>(bundle[BundleLayout.Entries.Manifest]);
        SameBytes<DeliveryInfo>(bundle[BundleLayout.Entries.Delivery]);
        SameBytes<IndexEntry>(index);
    }
}
