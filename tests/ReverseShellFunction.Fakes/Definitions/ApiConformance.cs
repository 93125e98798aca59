using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace ReverseShellFunction.Fakes.Definitions;

/// <summary>A request a fake refused because its API's definition does not allow it, or an answer the fake should not have given.</summary>
/// <param name="Api">The extract the request was held against, e.g. <c>cloudtasks.v2</c>.</param>
/// <param name="Request">The verb and path.</param>
/// <param name="Problems">What the definition does not allow, in the API's words where Google has them.</param>
/// <param name="ByFake">True when the fake's own answer broke the response schema: a bug in the fake, not the caller.</param>
public sealed record ApiViolation(string Api, string Request, IReadOnlyList<string> Problems, bool ByFake)
{
    public override string ToString() => $"{(ByFake ? "the fake answered" : "refused")} {Request} ({Api}): {string.Join("; ", Problems)}";
}

/// <summary>
/// Holds requests and answers against an <see cref="ApiDefinition"/> and keeps what broke it. A fake that owns one
/// throws from its <c>DisposeAsync</c> while anything is kept, so the test that sent the request fails even when
/// the product swallowed the 400; a test that sends a bad request on purpose takes it with <see cref="Take"/>.
/// </summary>
public sealed class ApiConformance
{
    private const string MethodItem = "ReverseShellFunction.Fakes.ApiMethod";
    private const string DefinitionItem = "ReverseShellFunction.Fakes.ApiDefinition";

    private readonly ConcurrentQueue<ApiViolation> _violations = new();

    /// <summary>Everything kept so far.</summary>
    public IReadOnlyList<ApiViolation> Violations => [.. _violations];

    /// <summary>Returns what was kept and forgets it, for tests that break the definition on purpose.</summary>
    public IReadOnlyList<ApiViolation> Take()
    {
        var taken = new List<ApiViolation>();
        while (_violations.TryDequeue(out var violation))
        {
            taken.Add(violation);
        }

        return taken;
    }

    /// <summary>Throws when anything was kept: called when the fake is disposed, so the test fails.</summary>
    public void ThrowIfAny(string fake)
    {
        var kept = Take();
        if (kept.Count > 0)
        {
            throw new ApiDefinitionViolatedException($"{fake} saw {kept.Count} exchange(s) that Google's API definitions do not allow:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", kept)}");
        }
    }

    /// <summary>
    /// Checks verb and path, query parameters (names and types) and, when given, the JSON body. On success the
    /// matched method is remembered on the context for <see cref="CheckAnswer"/>; otherwise the problems are kept
    /// and returned, and the caller answers them.
    /// </summary>
    public IReadOnlyList<string> CheckRequest(HttpContext context, ApiDefinition api, string rawPath, string? jsonBody)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(api);
        var problems = new List<string>();
        var method = api.Find(context.Request.Method, rawPath);
        if (method is null)
        {
            problems.Add($"No method of {api.Name} is {context.Request.Method} {rawPath}");
        }
        else
        {
            Query(api, method, context.Request.QueryString.Value ?? "", problems);
            Body(api, method, jsonBody, problems);
            context.Items[MethodItem] = method;
            context.Items[DefinitionItem] = api;
        }

        if (problems.Count > 0)
        {
            _violations.Enqueue(new ApiViolation(api.File, $"{context.Request.Method} {rawPath}{context.Request.QueryString}", problems, false));
        }

        return problems;
    }

    /// <summary>Holds a 2xx JSON answer against the response schema of the method the request reached.</summary>
    public void CheckAnswer(HttpContext context, JsonNode body)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[MethodItem] is not ApiMethod { Response: { } response } method || context.Items[DefinitionItem] is not ApiDefinition api)
        {
            return;
        }

        var problems = new List<string>();
        ApiSchemaCheck.Value(api, body, new JsonObject { ["$ref"] = response }, response, true, problems);
        if (problems.Count > 0)
        {
            _violations.Enqueue(new ApiViolation(api.File, $"{context.Request.Method} {context.Request.Path} → {method.Id}", problems, true));
        }
    }

    private static void Query(ApiDefinition api, ApiMethod method, string query, List<string> problems)
    {
        foreach (var (name, values) in QueryHelpers.ParseQuery(query))
        {
            var parameter = method.Parameters[name] as JsonObject ?? api.GlobalParameters[name] as JsonObject;
            if (parameter is null || parameter["location"]?.GetValue<string>() != "query")
            {
                problems.Add($"Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. Field '{name}' could not be found in request message.");
                continue;
            }

            if (values.Count > 1 && parameter["repeated"]?.GetValue<bool>() != true)
            {
                problems.Add($"Query parameter '{name}' is given {values.Count} times but is not repeated.");
            }

            foreach (var value in values)
            {
                if (name == "alt" && value == "media" && method.MediaDownload)
                {
                    continue;
                }

                if (!QueryValueFits(parameter, value ?? ""))
                {
                    problems.Add($"Invalid value at '{name}' ({parameter["format"]?.GetValue<string>() ?? parameter["type"]!.GetValue<string>()}), \"{value}\"");
                }
            }
        }

        foreach (var (name, parameter) in method.Parameters)
        {
            if (parameter!["location"]?.GetValue<string>() == "query" && parameter["required"]?.GetValue<bool>() == true && !QueryHelpers.ParseQuery(query).ContainsKey(name))
            {
                problems.Add($"Required query parameter '{name}' is missing.");
            }
        }
    }

    private static bool QueryValueFits(JsonObject parameter, string value)
    {
        if (parameter["enum"] is JsonArray values)
        {
            return values.Any(v => v!.GetValue<string>() == value);
        }

        return (parameter["type"]!.GetValue<string>(), parameter["format"]?.GetValue<string>()) switch
        {
            ("integer", "uint32") => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            ("integer", _) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            ("string", "int64") => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            ("string", "uint64") => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            ("boolean", _) => value is "true" or "false",
            _ => true,
        };
    }

    private static void Body(ApiDefinition api, ApiMethod method, string? body, List<string> problems)
    {
        if (method.Media)
        {
            // Media bodies are bytes; the fake passes the resource part of a multipart upload as the body, if any.
            if (body is null || method.Request is null)
            {
                return;
            }
        }

        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        if (method.Request is null)
        {
            problems.Add($"{method.Id} takes no request body, but one was sent");
            return;
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            problems.Add($"Invalid JSON payload received. {ex.Message}");
            return;
        }

        ApiSchemaCheck.Value(api, parsed, new JsonObject { ["$ref"] = method.Request }, method.Request, false, problems);
    }
}

/// <summary>Thrown by a fake at dispose when it saw requests (or gave answers) that the API definition does not allow.</summary>
public sealed class ApiDefinitionViolatedException : Exception
{
    public ApiDefinitionViolatedException()
    {
    }

    public ApiDefinitionViolatedException(string message)
        : base(message)
    {
    }

    public ApiDefinitionViolatedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
