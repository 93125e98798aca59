using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Infrastructure.Scc;

/// <summary>
/// SCC v2 <c>updateSecurityMarks</c>: <c>PATCH v2/{finding}/securityMarks?updateMask=marks.KEY,…</c> with a
/// SecurityMarks body. The mask names exactly the three marks this function owns, so marks that people or other
/// tools set on the finding are left as they are (an empty mask or "marks" would replace them all).
/// </summary>
/// <param name="endpoints">Marks on a finding under data residency go to its location's regional host, as the reads do.</param>
/// <param name="scope">Project scope writes through the finding's <c>projects/…</c> name: the grant covers only that form.</param>
internal sealed partial class SccFindingMarker(
    GoogleApiClient client, SccEndpoints endpoints, SccScope scope, ILogger<SccFindingMarker> logger) : IFindingMarker
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(15);
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };

    public async Task MarkAsync(FindingMark mark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mark);

        // With a project-scope grant, the organizations/… form of the same marks answers 403: use the project's.
        var name = scope == SccScope.Project && mark.ProjectSecurityMarksName is { } projectForm ? projectForm : mark.SecurityMarksName;

        // The name comes from the notification: only the documented shape becomes a request path.
        if (!MarksName().IsMatch(name))
        {
            throw new ArgumentException($"'{DisplayText.Visible(name, 200)}' is not a finding's securityMarks name.", nameof(mark));
        }

        var marks = new JsonObject();
        foreach (var (key, value) in mark.Marks)
        {
            marks[key] = value;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["name"] = name, ["marks"] = marks });
        var location = SccParent.LocationOf(name) ?? SccParent.GlobalLocation;
        var uri = ApiUri.Build(endpoints.RootFor(location), ["v2", .. name.Split('/')], [new("updateMask", string.Join(",", mark.Marks.Keys.Select(k => "marks." + k)))]);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(s_budget);
        using var answer = await client.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Patch, uri) { Content = new ByteArrayContent(body) { Headers = { ContentType = s_json } } },
            async (stream, ct) => await JsonDocument.ParseAsync(stream, default, ct),
            budget.Token);
        logger.LogInformation("Wrote the security marks of bundle {BundleId} on finding {FindingName}", mark.BundleId, mark.FindingName);
    }

    [GeneratedRegex(@"^(organizations|folders|projects)/[A-Za-z0-9_-]+/sources/[A-Za-z0-9_-]+(/locations/[A-Za-z0-9_-]+)?/findings/[A-Za-z0-9_-]+/securityMarks\z")]
    private static partial Regex MarksName();
}
