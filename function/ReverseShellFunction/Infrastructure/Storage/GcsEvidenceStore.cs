using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google;
using Google.Cloud.Storage.V1;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// The evidence store in a Cloud Storage bucket, with the folder store's layout (<see cref="BundleLayout"/>).
/// Every object is written once with <c>ifGenerationMatch=0</c> and never replaced or deleted, so the store
/// needs only create, get and list permissions and works under a locked retention policy. Uploads and
/// downloads stream; integrity is checked both ways (see <see cref="GcsUploader"/>, <see cref="GcsDownloader"/>).
/// </summary>
public sealed class GcsEvidenceStore : IEvidenceStore, IQuarantineReader
{
    private readonly StorageClient _client;
    private readonly GcsStoreOptions _options;
    private readonly GcsRetryPolicy _retry;
    private readonly GcsUploader _uploader;
    private readonly GcsDownloader _downloader;
    private readonly RetryOptions _clientRetry;

    public GcsEvidenceStore(StorageClient client, GcsStoreOptions options, ILogger<GcsEvidenceStore> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options with { Bucket = GcsStoreOptions.BucketName(options.Bucket) };
        _retry = new GcsRetryPolicy(_options, logger);
        _uploader = new GcsUploader(client, _options, _retry);
        _downloader = new GcsDownloader(client, _options, _retry);

        // Reads are idempotent: the client retries 408/429/5xx itself, on the store's timing.
        _clientRetry = new RetryOptions(_options.RetryTiming, RetryPredicate.RetriableIdempotentErrors);
    }

    public string Location => $"gs://{_options.Bucket}";

    /// <summary>Every bundle object is written with its SHA-256 in metadata; retention and holds come with each object.</summary>
    public StoreGuarantees Guarantees { get; } = new(KeepsHashMetadata: true, ReportsRetention: true);

    public async Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken) =>
        await FindAsync(BundleLayout.BundleObject(id), cancellationToken) is { } item ? GcsObjects.Describe(item) : null;

    public async Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) =>
        await FindAsync(BundleLayout.IndexObject(id), cancellationToken) is { } item ? GcsObjects.Describe(item) : null;

    public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(metadata);
        return _uploader.CreateAsync(GcsObjects.Bundle(_options.Bucket, BundleLayout.BundleObject(id), metadata), content, cancellationToken);
    }

    public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return CreateJsonAsync(BundleLayout.IndexObject(id), json, cancellationToken);
    }

    public Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return CreateJsonAsync(BundleLayout.PendingObject(id), json, cancellationToken);
    }

    public Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return CreateJsonAsync(BundleLayout.ClaimObject(id, generation), json, cancellationToken);
    }

    public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) =>
        _downloader.ReadAllAsync(BundleLayout.ClaimObject(id, generation), cancellationToken);

    public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) =>
        _downloader.ReadAllAsync(BundleLayout.PendingObject(id), cancellationToken);

    public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync(BundleLayout.PendingPrefix, cancellationToken);

    public IAsyncEnumerable<string> ListQuarantineObjectNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync(BundleLayout.QuarantinePrefix, cancellationToken);

    public Task<byte[]?> ReadQuarantineAsync(string objectName, CancellationToken cancellationToken) =>
        _downloader.ReadAllAsync(QuarantineName(objectName), cancellationToken);

    public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        CreateJsonAsync(QuarantineName(objectName), json, cancellationToken);

    public async Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken)
    {
        var name = BundleLayout.BundleObject(id);
        var item = await FindAsync(name, cancellationToken) ?? throw new EvidenceNotFoundException(name);
        return await _downloader.OpenAsync(item, cancellationToken);
    }

    public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) =>
        _downloader.ReadAllAsync(BundleLayout.IndexObject(id), cancellationToken);

    public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync(BundleLayout.IndexPrefix, cancellationToken);

    public async IAsyncEnumerable<StoredObject> ListBundleObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ListAsync(BundleLayout.BundlesPrefix, cancellationToken))
        {
            yield return GcsObjects.Describe(item);
        }
    }

    /// <summary>The name itself, once it is known to lie under the quarantine prefix and to be a safe object name.</summary>
    private static string QuarantineName(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (!objectName.StartsWith(BundleLayout.QuarantinePrefix, StringComparison.Ordinal) || !BundlePaths.IsSafe(objectName))
        {
            throw new ArgumentException($"'{DisplayText.Visible(objectName, 100)}' is not a quarantine object name.", nameof(objectName));
        }

        return objectName;
    }

    private async IAsyncEnumerable<string> ListNamesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ListAsync(prefix, cancellationToken))
        {
            yield return item.Name;
        }
    }

    private async Task<CreateResult> CreateJsonAsync(string name, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var bytes = MemoryMarshal.TryGetArray(json, out var segment) ? segment : new ArraySegment<byte>(json.ToArray());
        await using var content = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        return await _uploader.CreateAsync(GcsObjects.Json(_options.Bucket, name), content, cancellationToken);
    }

    /// <summary>The object's resource, or null when there is none.</summary>
    private Task<StorageObject?> FindAsync(string name, CancellationToken cancellationToken) =>
        _retry.RunAsync<StorageObject?>(
            "metadata read",
            name,
            retryStatuses: false,
            async token =>
            {
                try
                {
                    return await _client.GetObjectAsync(_options.Bucket, name, new GetObjectOptions { RetryOptions = _clientRetry }, token);
                }
                catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            cancellationToken);

    /// <summary>
    /// Objects under a prefix, in the service's lexical name order, page by page. Each page request is retried by
    /// the client; a failure that survives that ends the listing with an <see cref="EvidenceStoreException"/>.
    /// </summary>
    private async IAsyncEnumerable<StorageObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new ListObjectsOptions { RetryOptions = _clientRetry };
        await using var items = _client.ListObjectsAsync(_options.Bucket, prefix, options).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await items.MoveNextAsync();
            }
            catch (Exception ex) when (ex is GoogleApiException or HttpRequestException or IOException)
            {
                throw new EvidenceStoreException($"Cloud Storage listing of gs://{_options.Bucket}/{prefix} failed: {GcsFailures.Describe(ex)}", ex);
            }

            if (!more)
            {
                yield break;
            }

            yield return items.Current;
        }
    }
}
