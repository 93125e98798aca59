namespace ReverseShellFunction.Infrastructure.Scc;

/// <summary>
/// Which SCC host serves a location. Findings under data residency are served only by their location's regional
/// endpoint, <c>https://securitycenter.LOCATION.rep.googleapis.com</c>; global ones by the global host. An
/// override (SCC_API_ENDPOINT: tests, private endpoints) serves every location.
/// </summary>
/// <param name="overrideRoot">The one root for every location, or null for Google's hosts by location.</param>
public sealed class SccEndpoints(string? overrideRoot)
{
    public const string Global = "https://securitycenter.googleapis.com";

    private readonly string? _override = overrideRoot?.TrimEnd('/');

    /// <summary>The API root for <paramref name="location"/>, which must pass <see cref="SccParent.IsLocationName"/>.</summary>
    public string RootFor(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (_override is not null)
        {
            return _override;
        }

        // The location comes from the notification, which anyone who can publish may write: it becomes part of a
        // host name only as a plain location name, so the bearer token can only ever go to *.rep.googleapis.com.
        if (!SccParent.IsLocationName(location))
        {
            throw new ArgumentException($"'{location}' is not an SCC location name.", nameof(location));
        }

        return location == SccParent.GlobalLocation ? Global : $"https://securitycenter.{location}.rep.googleapis.com";
    }
}
