using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Parts;

namespace ReverseShellFunction.Infrastructure.Tasks;

/// <summary>
/// The Cloud Tasks task id of one part: <c>{hash8}-{bundle id}-part{n}</c>. The same bundle and part always give
/// the same id, so a redelivered event creates the same task and Cloud Tasks answers ALREADY_EXISTS instead of
/// scheduling it twice. Bundle ids start with the event time, and Cloud Tasks warns that sequential ids or
/// prefixes slow every task command on the queue; the leading hash spreads them evenly.
/// </summary>
internal static partial class CompletionTaskName
{
    private const int MaxIdLength = 500;

    public static string Id(BundleId id, int part)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(part, 1);
        var partText = part.ToString(CultureInfo.InvariantCulture);
        var prefix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{id.Value}/{partText}")))[..8];
        var taskId = $"{prefix}-{id.Value}-part{partText}";

        // A bundle id is letters, digits and hyphens by construction; this holds that promise where it matters.
        return TaskId().IsMatch(taskId) && taskId.Length <= MaxIdLength
            ? taskId
            : throw new ArgumentException($"Bundle id '{id.Value}' does not make a valid Cloud Tasks task id.", nameof(id));
    }

    /// <summary>The task's full name in <paramref name="queue"/>: <c>projects/P/locations/L/queues/Q/tasks/ID</c>.</summary>
    public static string Name(string queue, CompletionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return $"{queue}/tasks/{Id(task.Id, task.Part)}";
    }

    // Cloud Tasks' rule for TASK_ID: letters, digits, hyphens and underscores.
    [GeneratedRegex("^[A-Za-z0-9_-]+\\z")]
    private static partial Regex TaskId();
}
