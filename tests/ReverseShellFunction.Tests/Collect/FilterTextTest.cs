using ReverseShellFunction.Collectors;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Scc;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>Names from a finding can be hostile: quoted, they stay one value and add no clause.</summary>
public sealed class FilterTextTest
{
    public static TheoryData<string> HostileNames => new()
    {
        "plain-name",
        "x\" OR resource.type=\"gce_instance",
        "back\\slash\\\" AND logName:\"",
        "new\nline\ttab",
        "",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Quote_RoundTripsThroughAFilterParser(string value)
    {
        var filter = FakeFilter.Parse($"resource.labels.service_name={FilterText.Quote(value)} AND timestamp>=\"2026-01-01T00:00:00Z\"");

        Assert.Equal(2, filter.Comparisons.Count);
        Assert.Equal(value, filter.ValueOf("resource.labels.service_name"));
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void LogFilters_KeepAHostileServiceNameInsideItsString(string value)
    {
        var target = new CloudRunTarget("p", "europe-west1", CloudRunKind.Service, value, null, null);
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var container = FakeFilter.Parse(LogFilters.Container(target, from, from.AddHours(1)));
        var audit = FakeFilter.Parse(LogFilters.Audit(target, from, from.AddHours(1)));

        Assert.Equal(value, container.ValueOf("resource.labels.service_name"));
        Assert.Equal(5, container.Comparisons.Count);
        Assert.Equal(9, audit.Comparisons.Count);
        Assert.Equal($"namespaces/p/services/{value}", audit.ValueOf("protoPayload.resourceName"));
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void RelatedFindingsFilter_KeepsAHostileResourceNameInsideItsString(string value)
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var filter = FakeFilter.Parse(RelatedFindingsCollector.Filter(value, at, at.AddHours(1)));

        Assert.Equal(3, filter.Comparisons.Count);
        Assert.Equal(value, filter.ValueOf("resource.name"));
        Assert.Equal("1767225600000", filter.ValueOf("event_time", ">="));
    }
}
