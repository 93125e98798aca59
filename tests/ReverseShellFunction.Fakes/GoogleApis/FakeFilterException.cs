namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>A filter the fake cannot parse; answered with 400 INVALID_ARGUMENT like the real APIs.</summary>
public sealed class FakeFilterException : Exception
{
    public FakeFilterException()
    {
    }

    public FakeFilterException(string message)
        : base(message)
    {
    }

    public FakeFilterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
