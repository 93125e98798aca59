using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// The responder and auditor commands (list, show, get, verify) run in process against a store under test.
/// Every store gets the whole suite by subclassing and implementing <see cref="CreateStoreAsync"/>:
/// <see cref="LocalAuditCommandsTest"/> for the folder; a bucket subclass for the Cloud Storage fake.
/// </summary>
public abstract partial class AuditCommandsTest : IAsyncLifetime
{
    private StoreUnderTest? _store;

    protected StoreUnderTest Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>A fresh, empty store for one test.</summary>
    protected abstract Task<StoreUnderTest> CreateStoreAsync();

    protected Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync(Store, args);

    protected Task<BundleId> SeedAsync(SampleEvent? sample = null, IReadOnlyList<ICollector>? collectors = null) =>
        EvidenceSeeder.ReplayAsync(Store.Store, sample ?? new SampleEvent(), collectors);

    protected Task TamperBundleAsync(BundleId id, Func<byte[], byte[]> change) =>
        Store.TamperAsync(BundleLayout.BundleObject(id), change, CancellationToken.None);

    /// <summary>Tampers with the bundle and rewrites its index entry's hash to match: an attacker who covers the first tracks.</summary>
    protected async Task TamperBundleAndIndexAsync(BundleId id, Func<byte[], byte[]> change)
    {
        var tampered = change(await Store.ReadRawAsync(BundleLayout.BundleObject(id), CancellationToken.None));
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tampered));
        await Store.PutRawAsync(BundleLayout.BundleObject(id), tampered, CancellationToken.None);
        await Store.ForgeMetadataSha256Async(BundleLayout.BundleObject(id), sha256, CancellationToken.None);
        await Store.TamperAsync(BundleLayout.IndexObject(id), json => EditJson(json, root =>
        {
            root["bundle"]!["sha256"] = sha256;
            root["bundle"]!["size"] = tampered.Length;
        }), CancellationToken.None);
    }

    protected static byte[] EditJson(byte[] json, Action<System.Text.Json.Nodes.JsonNode> edit)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        edit(root);
        return EvidenceJson.Serialize(root);
    }

    /// <summary>verify --json output, one document per line.</summary>
    protected static List<JsonElement> JsonLines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    protected static List<string> ProblemKinds(JsonElement verification) =>
        [.. verification.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("kind").GetString()!)];
}
