using System.Text.Json.Nodes;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>
/// MARK_FINDINGS: the bundle's id, URI and SHA-256 written on the finding through SCC v2 updateSecurityMarks
/// (against the fake, which applies the documented mask and key rules); the notification SCC sends because of it
/// is acknowledged without a new bundle and without writing again, while a later event of the finding is collected.
/// </summary>
public sealed class SecurityMarksTest
{
    private static readonly Dictionary<string, string> s_markFindings = new() { ["MARK_FINDINGS"] = "true" };
    private static readonly string s_marksName = FakeGoogleData.FindingName + "/securityMarks";

    // Project scope (the default) writes through the finding's projects/… form, the one its grant covers.
    private static readonly string s_projectMarksName = FakeGoogleData.CanonicalName + "/securityMarks";

    [Fact]
    public async Task StoredBundle_IsMarkedOnTheFinding_WithOnlyItsOwnKeysInTheMask()
    {
        await using var harness = await PipelineHarness.StartAsync(variables: s_markFindings);

        var result = await harness.ReplaySampleAsync();

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var patch = Assert.Single(harness.Fake.Requests, r => r.Method == "PATCH");
        Assert.Equal($"/v2/{s_projectMarksName}", patch.Path);
        Assert.Equal("?updateMask=marks.reverse_shell_evidence_bundle%2Cmarks.reverse_shell_evidence_uri%2Cmarks.reverse_shell_evidence_sha256", patch.Query);
        Assert.True(patch.Authorized);
        Assert.Equal(200, patch.StatusCode);
        var marks = harness.Fake.Data.SecurityMarks[s_projectMarksName];
        Assert.Equal(result.BundleId, marks[FindingMark.BundleKey]!.GetValue<string>());
        Assert.Equal(result.IndexEntry!.Bundle.Sha256, marks[FindingMark.Sha256Key]!.GetValue<string>());
        Assert.Equal(Path.Combine(harness.Store.Root, result.IndexEntry.Bundle.ObjectName), marks[FindingMark.UriKey]!.GetValue<string>());
    }

    [Fact]
    public async Task FollowUpNotificationOfTheMarkUpdate_IsAcknowledged_NoSecondBundle_NoSecondMark()
    {
        await using var harness = await PipelineHarness.StartAsync(variables: s_markFindings);
        var first = await harness.ReplaySampleAsync();

        // What SCC sends next: the same finding event, now carrying the marks (SCC compares keys and values without case).
        var followUp = Notifications.SampleNotification();
        followUp.Finding()["securityMarks"] = new JsonObject
        {
            ["name"] = s_marksName,
            ["marks"] = new JsonObject { [FindingMark.BundleKey] = first.BundleId!.ToLowerInvariant(), [FindingMark.Sha256Key] = first.IndexEntry!.Bundle.Sha256 },
        };
        var second = await harness.ReplayNotificationAsync(followUp.Bytes(), "2002");
        var third = await harness.ReplayNotificationAsync(followUp.Bytes(), "2003");

        Assert.Equal(PipelineOutcome.Stored, first.Outcome);
        Assert.Equal(PipelineOutcome.Ignored, second.Outcome);
        Assert.Equal("follow-up notification of this function's own security-mark update", second.Reason);
        Assert.Equal(PipelineOutcome.Ignored, third.Outcome);
        Assert.Single(harness.Fake.Requests, r => r.Method == "PATCH");
        Assert.Single(Directory.GetFiles(Path.Combine(harness.Store.Root, "bundles"), "*.zip", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task LaterEventOfTheMarkedFinding_IsCollected_AndMarkedAgain()
    {
        await using var harness = await PipelineHarness.StartAsync(variables: s_markFindings);
        var first = await harness.ReplaySampleAsync();

        var later = Notifications.SampleNotification();
        later.Finding()["eventTime"] = "2026-11-28T22:30:00.000Z";
        later.Finding()["securityMarks"] = new JsonObject
        {
            ["name"] = s_marksName,
            ["marks"] = new JsonObject { [FindingMark.BundleKey] = first.BundleId },
        };
        var second = await harness.ReplayNotificationAsync(later.Bytes(), "3003");

        Assert.Equal(PipelineOutcome.Stored, second.Outcome);
        Assert.NotEqual(first.BundleId, second.BundleId);
        Assert.Equal(2, harness.Fake.Requests.Count(r => r.Method == "PATCH"));
        Assert.Equal(second.BundleId, harness.Fake.Data.SecurityMarks[s_projectMarksName][FindingMark.BundleKey]!.GetValue<string>());
    }

    [Fact]
    public async Task ProjectScope_WritesTheMarksThroughTheProjectForm_WhichAProjectOnlyGrantAllows()
    {
        await using var harness = await PipelineHarness.StartAtAsync(TimeProvider.System, s_markFindings, new FakeGoogleApisOptions { SccProjectGrantOnly = true });

        var result = await harness.ReplaySampleAsync();

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var patch = Assert.Single(harness.Fake.Requests, r => r.Method == "PATCH");
        Assert.Equal(($"/v2/{s_projectMarksName}", 200), (patch.Path, patch.StatusCode));
        Assert.Contains($"\"name\":\"{s_projectMarksName}\"", patch.Body, StringComparison.Ordinal);
        Assert.Equal(result.BundleId, harness.Fake.Data.SecurityMarks[s_projectMarksName][FindingMark.BundleKey]!.GetValue<string>());
    }

    [Fact]
    public async Task ProjectScope_WithoutCanonicalName_BuildsTheProjectFormFromTheResourcesProject()
    {
        await using var harness = await PipelineHarness.StartAtAsync(TimeProvider.System, s_markFindings, new FakeGoogleApisOptions { SccProjectGrantOnly = true });
        var notification = Notifications.SampleNotification();
        notification.Finding().Remove("canonicalName");

        var result = await harness.ReplayNotificationAsync(notification.Bytes(), "4004");

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var patch = Assert.Single(harness.Fake.Requests, r => r.Method == "PATCH");
        Assert.Equal(($"/v2/{s_projectMarksName}", 200), (patch.Path, patch.StatusCode));
    }

    [Fact]
    public async Task OrganizationScope_WritesTheMarksThroughTheFindingsName()
    {
        await using var harness = await PipelineHarness.StartAsync(variables: new Dictionary<string, string>(s_markFindings) { ["SCC_SCOPE"] = "organization" });

        var result = await harness.ReplaySampleAsync();

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var patch = Assert.Single(harness.Fake.Requests, r => r.Method == "PATCH");
        Assert.Equal(($"/v2/{s_marksName}", 200), (patch.Path, patch.StatusCode));
    }

    [Fact]
    public async Task MarkWriteDenied_BundleStillStoredAndIndexed()
    {
        await using var harness = await PipelineHarness.StartAsync(variables: s_markFindings);
        harness.Fake.Faults.Always(FakeApi.Scc, FakeFault.PermissionDenied("Permission 'securitycenter.findingsecuritymarks.update' denied."));

        var result = await harness.ReplaySampleAsync();

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Contains(harness.Fake.Requests, r => r.Method == "PATCH" && r.StatusCode == 403);
        Assert.Single(Directory.GetFiles(Path.Combine(harness.Store.Root, "index"), "*.json", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WithoutMarkFindings_NoMarkIsWritten()
    {
        await using var harness = await PipelineHarness.StartAsync();

        var result = await harness.ReplaySampleAsync();

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.DoesNotContain(harness.Fake.Requests, r => r.Method == "PATCH");
    }
}
