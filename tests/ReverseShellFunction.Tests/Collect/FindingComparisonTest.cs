using System.Text;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>The notification against SCC's copy, field by field: what differs is named, what only looks different is not.</summary>
public sealed class FindingComparisonTest
{
    private static readonly string s_sample = Encoding.UTF8.GetString(TestData.Sample("reverse-shell.notification.json"));

    [Fact]
    public void SameFinding_Agrees()
    {
        Assert.Empty(FindingComparison.Compare(Parse(s_sample), Parse(s_sample)));
    }

    [Theory]
    [InlineData("\"category\": \"Reverse Shell\"", "\"category\": \"Malicious URL Observed\"", "category")]
    [InlineData("\"severity\": \"CRITICAL\"", "\"severity\": \"LOW\"", "severity")]
    [InlineData("\"state\": \"ACTIVE\"", "\"state\": \"INACTIVE\"", "state")]
    [InlineData("\"eventTime\": \"2026-11-28T21:14:07.482Z\"", "\"eventTime\": \"2026-11-28T21:14:07.483Z\"", "event time")]
    [InlineData("\"resourceName\": \"//run.googleapis.com/projects/shop-prod-4471/locations/europe-west1/services/checkout-api\"", "\"resourceName\": \"//run.googleapis.com/projects/shop-prod-4471/locations/europe-west1/services/other\"", "resource")]
    [InlineData("\"path\": \"/bin/bash\"", "\"path\": \"/usr/bin/curl\"", "processes")]
    [InlineData("\"sha256\": \"d7f1c0b3", "\"sha256\": \"00f1c0b3", "processes")]
    [InlineData("\"server.js\"", "\"evil.js\"", "processes")]
    [InlineData("\"Reverse_Shell_Stdin_Redirection_Dst_Port\": \"4444\"", "\"Reverse_Shell_Stdin_Redirection_Dst_Port\": \"443\"", "source properties")]
    [InlineData("\"Reverse_Shell_Stdin_Redirection_Dst_Port\": \"4444\"", "\"Reverse_Shell_Stdin_Redirection_Dst_Port\": 4444", "source properties")]
    [InlineData("\"containers\": [", "\"connections\": [{\"destinationIp\": \"10.0.0.1\", \"destinationPort\": 80}], \"containers\": [", "connections")]
    public void OneFieldChanged_IsNamed_WithBothSides(string from, string to, string field)
    {
        Assert.Contains(from, s_sample, StringComparison.Ordinal);
        var changed = s_sample.Replace(from, to, StringComparison.Ordinal);

        var difference = Assert.Single(FindingComparison.Compare(Parse(changed), Parse(s_sample)));

        Assert.Equal(field, difference.Field);
        Assert.NotEqual(difference.Notification, difference.Scc);
    }

    [Fact]
    public void ProcessesInAnotherOrder_AbsentAndEmptyLists_AndFieldsNotCompared_Agree()
    {
        var sample = Parse(s_sample);
        var reordered = sample with
        {
            Finding = sample.Finding with
            {
                Processes = [.. sample.Finding.Processes!.AsEnumerable().Reverse()],
                Connections = [],
                Mute = "MUTED",
                Description = "changed",
            },
        };

        Assert.Empty(FindingComparison.Compare(reordered, sample));
    }

    private static SccNotification Parse(string json) => NotificationDecoder.Parse(Encoding.UTF8.GetBytes(json), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
}
