using System.Text.Json.Nodes;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Run;

namespace ReverseShellFunction.Collectors.Run;

/// <summary>
/// <c>cloud-run</c>: the configuration the shell ran under. For a service, the service and the revisions that
/// can run code (the named one, else latest ready and every one serving traffic); for a job, the job and its
/// latest (or named) execution. Literal environment variable values are redacted before anything is written.
/// </summary>
public sealed class CloudRunCollector(
    CloudRunApi api, CollectionOptions options, ILogger<CloudRunCollector> logger) : ICollector
{
    public const string CollectorName = "cloud-run";

    public string Name => CollectorName;

    public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(evidence);
        var progress = new CollectorProgress(Name);
        if (context.Target is not { } target)
        {
            return progress.Skipped("the finding's resource is not a Cloud Run service or job");
        }

        if (!await api.Client.HasCredentialsAsync(cancellationToken))
        {
            return progress.Skipped("no credentials");
        }

        var children = target.Kind == CloudRunKind.Service ? "revisions" : "executions";
        progress.Query = $"{api.Describe(target.RelativeName)} and its {children}";
        var redactor = new SecretRedactor(options.RedactionKey);
        var problems = new List<string>();
        try
        {
            var parent = await api.GetAsync(target.RelativeName, cancellationToken);
            await SaveAsync(parent, target.Kind == CloudRunKind.Service ? BundleLayout.Entries.CloudRunService : BundleLayout.Entries.CloudRunJob);
            foreach (var child in Children(target, parent))
            {
                // One missing revision or execution does not spoil the others.
                try
                {
                    var document = await api.GetAsync($"{target.RelativeName}/{children}/{child}", cancellationToken);
                    await SaveAsync(document, BundleLayout.Entries.CloudRunChild(children, BundlePaths.Segment(child)));
                }
                catch (Exception ex) when (ex is GoogleApiException or ArgumentException)
                {
                    // ArgumentException: a name from the API that cannot be a path segment or a bundle file.
                    var problem = ex is GoogleApiException failure ? failure.Describe() : ex.Message;
                    logger.LogWarning("Reading {Child} of {Resource} failed: {Problem}", child, target.RelativeName, problem);
                    problems.Add($"{child}: {problem}");
                }
            }
        }
        catch (GoogleApiException ex)
        {
            // The API's answer is the whole story (a deleted service is a 404 here): one line, no stack trace of
            // our own code, which Cloud Logging would also report as an error.
            logger.LogWarning("Reading {Resource} failed: {Problem}", target.RelativeName, ex.Describe());
            return progress.Failed(ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return progress.DeadlineReached();
        }

        logger.LogInformation("Cloud Run: {Count} documents of {Resource}", progress.Items, target.RelativeName);
        return problems.Count == 0 ? progress.Ok() : progress.Partial(string.Join("; ", problems));

        // Redacts, writes and counts one document.
        async Task SaveAsync(JsonNode document, string path)
        {
            progress.AddRedactions(redactor.Redact(document, path));
            await JsonEvidence.WriteAsync(evidence, path, document);
            progress.AddFile(path);
            progress.AddItems(1);
        }
    }

    private static IReadOnlyList<string> Children(CloudRunTarget target, JsonNode parent)
    {
        if (target.Kind == CloudRunKind.Service)
        {
            return RevisionSelection.For(target.Revision, parent);
        }

        var latest = parent["latestCreatedExecution"]?["name"] is JsonValue value && value.TryGetValue<string>(out var name)
            ? RevisionSelection.ShortName(name)
            : null;
        return new[] { target.Execution, latest }.OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }
}
