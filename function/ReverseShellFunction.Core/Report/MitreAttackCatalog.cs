using System.Globalization;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Report;

/// <summary>
/// Maps SCC's MITRE ATT&amp;CK enum names to ATT&amp;CK ids and links. Names the table does not know are still
/// reported, without an id, so nothing the finding says is dropped.
/// </summary>
public static class MitreAttackCatalog
{
    /// <summary>Google's guidance for the Reverse Shell finding type names these two techniques.</summary>
    public static readonly IReadOnlyList<string> GuidanceTechniques = ["COMMAND_AND_SCRIPTING_INTERPRETER", "INGRESS_TOOL_TRANSFER"];

    private static readonly Dictionary<string, (string Id, string Name)> s_tactics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RECONNAISSANCE"] = ("TA0043", "Reconnaissance"),
        ["RESOURCE_DEVELOPMENT"] = ("TA0042", "Resource Development"),
        ["INITIAL_ACCESS"] = ("TA0001", "Initial Access"),
        ["EXECUTION"] = ("TA0002", "Execution"),
        ["PERSISTENCE"] = ("TA0003", "Persistence"),
        ["PRIVILEGE_ESCALATION"] = ("TA0004", "Privilege Escalation"),
        ["DEFENSE_EVASION"] = ("TA0005", "Defense Evasion"),
        ["CREDENTIAL_ACCESS"] = ("TA0006", "Credential Access"),
        ["DISCOVERY"] = ("TA0007", "Discovery"),
        ["LATERAL_MOVEMENT"] = ("TA0008", "Lateral Movement"),
        ["COLLECTION"] = ("TA0009", "Collection"),
        ["EXFILTRATION"] = ("TA0010", "Exfiltration"),
        ["COMMAND_AND_CONTROL"] = ("TA0011", "Command and Control"),
        ["IMPACT"] = ("TA0040", "Impact"),
    };

    private static readonly Dictionary<string, (string Id, string Name)> s_techniques = new(StringComparer.OrdinalIgnoreCase)
    {
        ["COMMAND_AND_SCRIPTING_INTERPRETER"] = ("T1059", "Command and Scripting Interpreter"),
        ["UNIX_SHELL"] = ("T1059.004", "Unix Shell"),
        ["PYTHON"] = ("T1059.006", "Python"),
        ["INGRESS_TOOL_TRANSFER"] = ("T1105", "Ingress Tool Transfer"),
        ["APPLICATION_LAYER_PROTOCOL"] = ("T1071", "Application Layer Protocol"),
        ["PROXY"] = ("T1090", "Proxy"),
        ["EXPLOIT_PUBLIC_FACING_APPLICATION"] = ("T1190", "Exploit Public-Facing Application"),
        ["ESCAPE_TO_HOST"] = ("T1611", "Escape to Host"),
        ["CONTAINER_ADMINISTRATION_COMMAND"] = ("T1609", "Container Administration Command"),
        ["DEPLOY_CONTAINER"] = ("T1610", "Deploy Container"),
        ["NATIVE_API"] = ("T1106", "Native API"),
        ["OBFUSCATED_FILES_OR_INFO"] = ("T1027", "Obfuscated Files or Information"),
        ["VALID_ACCOUNTS"] = ("T1078", "Valid Accounts"),
        ["EXPLOITATION_FOR_PRIVILEGE_ESCALATION"] = ("T1068", "Exploitation for Privilege Escalation"),
        ["RESOURCE_HIJACKING"] = ("T1496", "Resource Hijacking"),
        ["PROCESS_DISCOVERY"] = ("T1057", "Process Discovery"),
        ["UNSECURED_CREDENTIALS"] = ("T1552", "Unsecured Credentials"),
    };

    public static IReadOnlyList<AttackReference> Describe(SccMitreAttack? attack)
    {
        var references = new List<AttackReference>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Add(string kind, string? name, string source)
        {
            if (!string.IsNullOrWhiteSpace(name) && seen.Add($"{kind}:{name}"))
            {
                references.Add(Reference(kind, name, source));
            }
        }

        Add("tactic", attack?.PrimaryTactic, "finding");
        attack?.AdditionalTactics?.ForEach(t => Add("tactic", t, "finding"));
        attack?.PrimaryTechniques?.ForEach(t => Add("technique", t, "finding"));
        attack?.AdditionalTechniques?.ForEach(t => Add("technique", t, "finding"));
        foreach (var technique in GuidanceTechniques)
        {
            Add("technique", technique, "guidance");
        }

        return references;
    }

    /// <param name="kind"><c>tactic</c> or <c>technique</c>: the table the name is looked up in, and the ATT&amp;CK page it links to.</param>
    private static AttackReference Reference(string kind, string name, string source)
    {
        if (!(kind == "tactic" ? s_tactics : s_techniques).TryGetValue(name, out var known))
        {
            return new AttackReference(kind, null, Humanize(name), null, source);
        }

        // Sub-techniques live under their parent: T1059.004 -> /techniques/T1059/004/ (tactic ids have no dot).
        return new AttackReference(kind, known.Id, known.Name, $"https://attack.mitre.org/{kind}s/{known.Id.Replace('.', '/')}/", source);
    }

    private static string Humanize(string enumName) =>
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(enumName.Replace('_', ' ').ToLowerInvariant());
}
