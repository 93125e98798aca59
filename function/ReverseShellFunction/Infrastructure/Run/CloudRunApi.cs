using System.Text.Json.Nodes;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Infrastructure.Run;

/// <summary>Cloud Run Admin API v2 reads over REST; small so an official client can replace it.</summary>
public sealed class CloudRunApi(GoogleApiClient client, string root)
{
    // A service or revision document is a few kilobytes; this only stops a runaway answer.
    private const int MaxDocumentBytes = 16 * 1024 * 1024;

    public GoogleApiClient Client => client;

    /// <summary>GET <c>v2/{relativeName}</c>, e.g. <c>projects/P/locations/L/services/S/revisions/R</c>, as a mutable document.</summary>
    public Task<JsonNode> GetAsync(string relativeName, CancellationToken cancellationToken)
    {
        var uri = ApiUri.Build(root, ["v2", .. relativeName.Split('/')]);
        return client.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), ReadAsync, cancellationToken);
    }

    public string Describe(string relativeName) => $"GET {root}/v2/{relativeName}";

    private static async Task<JsonNode> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new System.Text.Json.JsonException($"The document is larger than {MaxDocumentBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return JsonNode.Parse(buffer.ToArray(), documentOptions: GoogleApiClient.DocumentOptions)
            ?? throw new System.Text.Json.JsonException("The answer is JSON null.");
    }
}
