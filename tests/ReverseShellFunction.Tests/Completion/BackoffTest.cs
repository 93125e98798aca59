using ReverseShellFunction.Parts;

namespace ReverseShellFunction.Tests.Completion;

public sealed class BackoffTest
{
    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(5, 960)]
    [InlineData(6, 1800)] // 1,920 s, capped at 30 min
    [InlineData(200, 1800)]
    public void Exponential_DoublesFromTheFirstWait_UpToTheCap(int retry, int expectedSeconds) =>
        Assert.Equal(
            TimeSpan.FromSeconds(expectedSeconds),
            Backoff.Exponential(TimeSpan.FromSeconds(60), 2, TimeSpan.FromMinutes(30), retry));

    [Theory]
    [InlineData(0, 500)]
    [InlineData(0.5, 750)]
    [InlineData(0.75, 875)]
    public void EqualJitter_KeepsHalfTheWait_AndScalesTheOtherHalf(double random, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.EqualJitter(TimeSpan.FromSeconds(1), random));
}
