using System.Globalization;
using System.Net;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>The JSON API's generation and metageneration preconditions, from the query string.</summary>
public sealed record FakePreconditions(long? IfGenerationMatch, long? IfGenerationNotMatch, long? IfMetagenerationMatch, long? IfMetagenerationNotMatch)
{
    public static readonly FakePreconditions None = new(null, null, null, null);

    public static FakePreconditions From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new(Read(query, "ifGenerationMatch"), Read(query, "ifGenerationNotMatch"), Read(query, "ifMetagenerationMatch"), Read(query, "ifMetagenerationNotMatch"));
    }

    /// <summary>
    /// Null when the preconditions hold for the live version (or its absence). A failed "match" is 412; a failed
    /// "not match" is 304, as the service answers. <c>ifGenerationMatch=0</c> means "no live version".
    /// </summary>
    public HttpStatusCode? Check(FakeObject? live)
    {
        var generation = live?.Generation ?? 0;
        if (IfGenerationMatch is { } match && match != generation)
        {
            return HttpStatusCode.PreconditionFailed;
        }

        if (IfMetagenerationMatch is { } metaMatch && (live is null || metaMatch != live.Metageneration))
        {
            return HttpStatusCode.PreconditionFailed;
        }

        if (IfGenerationNotMatch is { } notMatch && notMatch == generation)
        {
            return HttpStatusCode.NotModified;
        }

        return IfMetagenerationNotMatch is { } metaNotMatch && live is not null && metaNotMatch == live.Metageneration
            ? HttpStatusCode.NotModified
            : null;
    }

    private static long? Read(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && long.TryParse(values.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
