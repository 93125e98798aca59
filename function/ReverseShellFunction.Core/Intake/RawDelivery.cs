namespace ReverseShellFunction.Intake;

/// <summary>
/// A request as it arrived, before any parsing: what the quarantine keeps when the request can never become
/// a bundle. <see cref="Body"/> holds at most the edge's read limit; <see cref="BodyLength"/> is the full size.
/// </summary>
public sealed record RawDelivery
{
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }
    public required long BodyLength { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Where it came from: "http" or "replay:FILE".</summary>
    public required string Origin { get; init; }

    public bool IsComplete => Body.LongLength == BodyLength;

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
