using ReverseShellFunction.Bundle;
using ReverseShellFunction.Parts;

namespace ReverseShellFunction.Tests.Completion;

/// <summary>Which scheduled parts a completion takes with it: its group, due now, each once.</summary>
public sealed class CompletionSiblingsTest
{
    private const string Service = "//run.googleapis.com/projects/p/locations/europe-west1/services/checkout-api";
    private static readonly DateTimeOffset s_due = new(2026, 11, 28, 21, 20, 10, TimeSpan.Zero);

    [Fact]
    public void TakesTheDueSiblingsOfItsGroup_OnlyOnce_AndNothingForAPartItDidNotSchedule()
    {
        var siblings = new CompletionSiblings();
        var own = Task("own", Service, s_due);
        var sameMinute = Task("same-minute", Service, s_due.AddSeconds(30));
        var nextMinute = Task("next-minute", Service, s_due.AddSeconds(60));
        var otherService = Task("other-service", Service.Replace("checkout-api", "other-api", StringComparison.Ordinal), s_due);
        foreach (var task in new[] { own, sameMinute, nextMinute, otherService })
        {
            siblings.Remember(task);
        }

        // Not yet due: the same-minute sibling stays for later.
        Assert.Empty(siblings.TakeDueSiblings(own.Request, s_due.AddSeconds(10)));
        Assert.Empty(siblings.TakeDueSiblings(own.Request, s_due.AddSeconds(40)));

        siblings.Remember(own);
        var taken = siblings.TakeDueSiblings(own.Request, s_due.AddSeconds(40));
        Assert.Equal([sameMinute.Request], taken.Select(t => t.Request));
        Assert.Empty(siblings.TakeDueSiblings(sameMinute.Request, s_due.AddMinutes(5)));
        Assert.Equal(2, siblings.Count);
    }

    [Fact]
    public void APartWithoutResource_HasNoGroup_AndIsNotRemembered()
    {
        var siblings = new CompletionSiblings();

        siblings.Remember(Task("no-resource", null, s_due));

        Assert.Null(CompletionSiblings.GroupOf(null, s_due));
        Assert.Equal(0, siblings.Count);
    }

    [Fact]
    public void PastCapacity_NewPartsAreNotRemembered()
    {
        var siblings = new CompletionSiblings { Capacity = 2 };

        for (var i = 0; i < 5; i++)
        {
            siblings.Remember(Task($"f{i}", Service, s_due));
        }

        Assert.Equal(2, siblings.Count);
    }

    private static CompletionTask Task(string finding, string? resource, DateTimeOffset due) =>
        new(BundleId.For($"organizations/1/sources/2/locations/global/findings/{finding}", new DateTimeOffset(2026, 11, 28, 21, 14, 7, TimeSpan.Zero)), 2, due)
        {
            Group = CompletionSiblings.GroupOf(resource, due),
        };
}
