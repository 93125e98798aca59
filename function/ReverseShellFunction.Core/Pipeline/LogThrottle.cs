namespace ReverseShellFunction.Pipeline;

/// <summary>
/// At most one log line per interval for something anyone who can call the endpoint can repeat at
/// will (a completion for a bundle that does not exist): the first occurrence is logged, the next ones within the
/// interval are counted, and the next line says how many there were. A flood then costs a line a minute, not a
/// line a request, and still shows up.
/// </summary>
public sealed class LogThrottle(TimeSpan interval)
{
    private readonly object _gate = new();
    private DateTimeOffset? _lastLine;
    private long _suppressed;

    /// <summary>Whether to log now; if so, <paramref name="suppressed"/> is how many occurrences went unlogged since the last line.</summary>
    public bool TryTake(DateTimeOffset now, out long suppressed)
    {
        lock (_gate)
        {
            // A clock that went back counts as time passed, so a stepped clock never silences the log for good.
            if (_lastLine is { } last && now >= last && now - last < interval)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }

            _lastLine = now;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
