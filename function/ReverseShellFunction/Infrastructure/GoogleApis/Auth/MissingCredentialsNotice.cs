using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Collectors.Run;
using ReverseShellFunction.Collectors.Scc;

namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// How loudly to say that there are no Google credentials at all. For the server it is a configuration problem
/// (<see cref="Warning"/>): a deployed function always has its metadata server. For a command on a laptop it is
/// the expected case, the README's first command included (<see cref="Information"/>): the line says what is not
/// collected, and every bundle records those collectors as "not collected (no credentials)" all the same.
/// A source that exists but fails is always a warning (<see cref="ApplicationDefaultTokenSource"/>).
/// </summary>
public sealed record MissingCredentialsNotice(LogLevel Level)
{
    public static MissingCredentialsNotice Warning { get; } = new(LogLevel.Warning);

    public static MissingCredentialsNotice Information { get; } = new(LogLevel.Information);

    /// <summary>The collectors that call Google APIs, as the bundle names them.</summary>
    public static string Collectors { get; } = string.Join(", ", [
        FindingAuthenticityCollector.CollectorName,
        RelatedFindingsCollector.CollectorName,
        CloudRunCollector.CollectorName,
        ContainerLogsCollector.CollectorName,
        AuditLogsCollector.CollectorName,
    ]);
}
