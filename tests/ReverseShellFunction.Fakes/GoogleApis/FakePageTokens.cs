using System.Collections.Concurrent;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Opaque page tokens bound to the query that issued them; a foreign or replayed-elsewhere token is refused.</summary>
internal sealed class FakePageTokens
{
    private readonly ConcurrentDictionary<string, PageState> _issued = new(StringComparer.Ordinal);

    public string Issue(string query, int offset, bool emptyPageFirst = false)
    {
        var token = "pt" + Guid.NewGuid().ToString("N");
        _issued[token] = new PageState(query, offset, emptyPageFirst);
        return token;
    }

    public bool TryRedeem(string token, string query, out PageState state) =>
        _issued.TryGetValue(token, out state!) && state.Query == query;
}

internal sealed record PageState(string Query, int Offset, bool EmptyPageFirst);
