using System.Net;
using System.Runtime.CompilerServices;
using Google;
using Google.Cloud.Storage.V1;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// The evidence store in a Cloud Storage bucket, with the folder store's layout (<see cref="BundleLayout"/>).
/// Every object is written once with <c>ifGenerationMatch=0</c> and never replaced or deleted, so the store
/// needs only create, get and list permissions and works under a locked retention policy. Uploads and
/// downloads stream; integrity is checked both ways (see <see cref="GcsUploader"/>, <see cref="GcsDownloader"/>).
/// </summary>
public sealed class GcsEvidenceStore : ObjectEvidenceStore
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

    public override string Location => $"gs://{_options.Bucket}";

    /// <summary>Every bundle object is written with its SHA-256 in metadata; retention and holds come with each object.</summary>
    public override StoreGuarantees Guarantees { get; } = new(KeepsHashMetadata: true, ReportsRetention: true);

    protected override async Task<StoredObject?> FindAsync(string name, CancellationToken cancellationToken) =>
        await GetObjectAsync(name, cancellationToken) is { } item ? GcsObjects.Describe(item) : null;

    protected override Task<CreateResult> CreateAsync(string name, Stream content, BundleMetadata? metadata, CancellationToken cancellationToken) =>
        _uploader.CreateAsync(metadata is null ? GcsObjects.Json(_options.Bucket, name) : GcsObjects.Bundle(_options.Bucket, name, metadata), content, cancellationToken);

    protected override Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken) => _downloader.ReadAllAsync(name, cancellationToken);

    protected override async Task<Stream> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var item = await GetObjectAsync(name, cancellationToken) ?? throw new EvidenceNotFoundException(name);
        return await _downloader.OpenAsync(item, cancellationToken);
    }

    protected override IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) =>
        ListObjectsAsync(prefix, cancellationToken).Select(GcsObjects.Describe);

    protected override IAsyncEnumerable<string> ListNamesAsync(string prefix, CancellationToken cancellationToken) =>
        ListObjectsAsync(prefix, cancellationToken).Select(item => item.Name);

    /// <summary>The object's resource, or null when there is none.</summary>
    private Task<StorageObject?> GetObjectAsync(string name, CancellationToken cancellationToken) =>
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
    private async IAsyncEnumerable<StorageObject> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
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
                throw new EvidenceStoreException($"Cloud Storage listing of gs://{_options.Bucket}/{prefix} failed: {GcsRetryPolicy.Describe(ex)}", ex);
            }

            if (!more)
            {
                yield break;
            }

            yield return items.Current;
        }
    }
}
