using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Fakes.Definitions;

/// <summary>
/// Holds a JSON value against a discovery type: field names the schema has, JSON types as the discovery document
/// states them (int64 and uint64 as decimal strings, int32 as numbers, enums by name, bytes as base64, times as
/// RFC 3339). Answers are also held to the proto3 JSON mapping's rule that default values are left out.
/// </summary>
internal static partial class ApiSchemaCheck
{
    /// <param name="answer">True for a server's answer: held to the proto3 rule that fields at their default value are left out.</param>
    public static void Value(ApiDefinition api, JsonNode? value, JsonObject type, string where, bool answer, List<string> problems) =>
        Value(api, value, type, where, answer, answer, problems);

    /// <param name="field">
    /// False for list items and map values: proto3 JSON leaves out fields at their default value, but writes every
    /// element of a list and every entry of a map, whatever its value.
    /// </param>
    private static void Value(ApiDefinition api, JsonNode? value, JsonObject type, string where, bool answer, bool field, List<string> problems)
    {
        if (value is null)
        {
            // proto3 JSON parsers take null as "the default"; a server never sends it.
            if (answer && api.Proto3)
            {
                problems.Add($"{where} is null; an answer leaves the field out instead");
            }

            return;
        }

        if (type["$ref"]?.GetValue<string>() is { } reference)
        {
            if (api.Schemas[reference] is not JsonObject schema)
            {
                problems.Add($"{where}: the definition has no schema {reference}");
                return;
            }

            Value(api, value, schema, where, answer, field, problems);
            return;
        }

        var kind = type["type"]?.GetValue<string>() ?? "object";
        var format = type["format"]?.GetValue<string>();
        switch (kind)
        {
            case "any":
                return;
            case "object":
                Object(api, value, type, where, answer, field, problems);
                return;
            case "array":
                if (value is not JsonArray array)
                {
                    problems.Add($"{where} must be a JSON array, not {Describe(value)}");
                    return;
                }

                if (field && api.Proto3 && array.Count == 0)
                {
                    problems.Add($"{where} is an empty list; proto3 JSON leaves an empty repeated field out");
                }

                for (var i = 0; i < array.Count; i++)
                {
                    Value(api, array[i], type["items"]!.AsObject(), $"{where}[{i}]", answer, false, problems);
                }

                return;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{where} must be true or false, not {Describe(value)}");
                }
                else if (field && api.Proto3 && !value.GetValue<bool>())
                {
                    problems.Add($"{where} is false, a default value that proto3 JSON leaves out");
                }

                return;
            case "integer":
                Integer(api, value, format, where, field, problems);
                return;
            case "number":
                if (value.GetValueKind() is not JsonValueKind.Number && !(value.GetValueKind() is JsonValueKind.String && value.GetValue<string>() is "NaN" or "Infinity" or "-Infinity"))
                {
                    problems.Add($"{where} must be a JSON number, not {Describe(value)}");
                }
                else if (field && api.Proto3 && value.GetValueKind() is JsonValueKind.Number && value.GetValue<double>() == 0)
                {
                    problems.Add($"{where} is 0, a default value that proto3 JSON leaves out");
                }

                return;
            case "string":
                String(api, value, type, format, where, field, problems);
                return;
            default:
                problems.Add($"{where}: the definition has an unknown type {kind}");
                return;
        }
    }

    private static void Object(ApiDefinition api, JsonNode value, JsonObject type, string where, bool answer, bool field, List<string> problems)
    {
        if (value is not JsonObject json)
        {
            problems.Add($"{where} must be a JSON object, not {Describe(value)}");
            return;
        }

        var properties = type["properties"] as JsonObject;
        var map = type["additionalProperties"] as JsonObject;
        if (field && api.Proto3 && map is not null && properties is null && json.Count == 0)
        {
            problems.Add($"{where} is an empty map; proto3 JSON leaves an empty map out");
        }

        foreach (var (name, member) in json)
        {
            if (properties?[name] is JsonObject fieldType)
            {
                Value(api, member, fieldType, $"{where}.{name}", answer, answer, problems);
            }
            else if (!answer && api.Proto3 && properties?[CamelCase(name)] is JsonObject original && name.Contains('_', StringComparison.Ordinal))
            {
                // proto3 JSON parsers take the proto field name (order_by) as well as the JSON name (orderBy).
                Value(api, member, original, $"{where}.{name}", answer, answer, problems);
            }
            else if (map is not null)
            {
                Value(api, member, map, $"{where}[\"{name}\"]", answer, false, problems);
            }
            else
            {
                problems.Add($"Unknown name \"{name}\" at '{where}': Cannot find field.");
            }
        }
    }

    private static void Integer(ApiDefinition api, JsonNode value, string? format, string where, bool field, List<string> problems)
    {
        if (value.GetValueKind() is not JsonValueKind.Number || !decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number != decimal.Truncate(number))
        {
            problems.Add($"{where} must be a whole JSON number ({format ?? "integer"}), not {Describe(value)}");
            return;
        }

        var (min, max) = format == "uint32" ? (0m, uint.MaxValue) : ((decimal)int.MinValue, (decimal)int.MaxValue);
        if (number < min || number > max)
        {
            problems.Add($"{where} is out of range for {format ?? "int32"}: {number}");
        }
        else if (field && api.Proto3 && number == 0)
        {
            problems.Add($"{where} is 0, a default value that proto3 JSON leaves out");
        }
    }

    private static void String(ApiDefinition api, JsonNode value, JsonObject type, string? format, string where, bool field, List<string> problems)
    {
        if (value.GetValueKind() is not JsonValueKind.String)
        {
            var hint = format is "int64" or "uint64" ? " (64-bit integers are JSON strings)" : "";
            problems.Add($"{where} must be a JSON string{hint}, not {Describe(value)}");
            return;
        }

        var text = value.GetValue<string>();
        if (type["enum"] is JsonArray values)
        {
            if (!values.Any(v => v!.GetValue<string>() == text))
            {
                problems.Add($"Invalid value at '{where}', \"{text}\" is not one of its enum values");
            }
            else if (field && api.Proto3 && values[0]!.GetValue<string>() == text && text.EndsWith("_UNSPECIFIED", StringComparison.Ordinal))
            {
                problems.Add($"{where} is {text}, the enum's default that proto3 JSON leaves out");
            }

            return;
        }

        if (field && api.Proto3 && (text.Length == 0 || (format is "int64" or "uint64" && text == "0")))
        {
            problems.Add($"{where} is \"{text}\", a default value that proto3 JSON leaves out");
            return;
        }

        // The messages follow Google's own for these cases.
        var problem = format switch
        {
            "int64" when !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => "(TYPE_INT64)",
            "uint64" when !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _) => "(TYPE_UINT64)",
            "byte" when !IsBase64(text) => "(TYPE_BYTES), Base64 decoding failed for",
            "google-datetime" or "date-time" when !Timestamp().IsMatch(text) => "(type.googleapis.com/google.protobuf.Timestamp), Invalid time format:",
            "google-duration" when !Duration().IsMatch(text) => "(type.googleapis.com/google.protobuf.Duration), Invalid duration format:",
            _ => null,
        };
        if (problem is not null)
        {
            problems.Add($"Invalid value at '{where}' {problem} \"{Clip(text)}\"");
        }
    }

    private static string CamelCase(string protoName)
    {
        var parts = protoName.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? "" : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <summary>Standard or URL-safe base64, padded or not, as Google's JSON parsers take it.</summary>
    private static bool IsBase64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        return Convert.TryFromBase64String(standard, new byte[standard.Length], out _);
    }

    public static string Describe(JsonNode? value) => value is null ? "null" : $"{value.GetValueKind().ToString().ToLowerInvariant()} {Clip(value.ToJsonString())}";

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^-?\d+(\.\d{1,9})?s\z")]
    private static partial Regex Duration();
}
