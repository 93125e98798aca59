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
    public static void Value(ApiDefinition api, JsonNode? value, JsonObject type, string where, bool answer, List<string> problems)
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

            Value(api, value, schema, where, answer, problems);
            return;
        }

        var kind = type["type"]?.GetValue<string>() ?? "object";
        var format = type["format"]?.GetValue<string>();
        switch (kind)
        {
            case "any":
                return;
            case "object":
                Object(api, value, type, where, answer, problems);
                return;
            case "array":
                if (value is not JsonArray array)
                {
                    problems.Add($"{where} must be a JSON array, not {Describe(value)}");
                    return;
                }

                if (answer && api.Proto3 && array.Count == 0)
                {
                    problems.Add($"{where} is an empty list; proto3 JSON leaves an empty repeated field out");
                }

                for (var i = 0; i < array.Count; i++)
                {
                    Value(api, array[i], type["items"]!.AsObject(), $"{where}[{i}]", answer, problems);
                }

                return;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{where} must be true or false, not {Describe(value)}");
                }
                else if (answer && api.Proto3 && !value.GetValue<bool>())
                {
                    problems.Add($"{where} is false, a default value that proto3 JSON leaves out");
                }

                return;
            case "integer":
                Integer(api, value, format, where, answer, problems);
                return;
            case "number":
                if (value.GetValueKind() is not JsonValueKind.Number && !(value.GetValueKind() is JsonValueKind.String && value.GetValue<string>() is "NaN" or "Infinity" or "-Infinity"))
                {
                    problems.Add($"{where} must be a JSON number, not {Describe(value)}");
                }
                else if (answer && api.Proto3 && value.GetValueKind() is JsonValueKind.Number && value.GetValue<double>() == 0)
                {
                    problems.Add($"{where} is 0, a default value that proto3 JSON leaves out");
                }

                return;
            case "string":
                String(api, value, type, format, where, answer, problems);
                return;
            default:
                problems.Add($"{where}: the definition has an unknown type {kind}");
                return;
        }
    }

    private static void Object(ApiDefinition api, JsonNode value, JsonObject type, string where, bool answer, List<string> problems)
    {
        if (value is not JsonObject json)
        {
            problems.Add($"{where} must be a JSON object, not {Describe(value)}");
            return;
        }

        var properties = type["properties"] as JsonObject;
        var map = type["additionalProperties"] as JsonObject;
        if (answer && api.Proto3 && map is not null && properties is null && json.Count == 0)
        {
            problems.Add($"{where} is an empty map; proto3 JSON leaves an empty map out");
        }

        foreach (var (name, field) in json)
        {
            if (properties?[name] is JsonObject fieldType)
            {
                Value(api, field, fieldType, $"{where}.{name}", answer, problems);
            }
            else if (map is not null)
            {
                Value(api, field, map, $"{where}[\"{name}\"]", answer, problems);
            }
            else
            {
                problems.Add($"Unknown name \"{name}\" at '{where}': Cannot find field.");
            }
        }
    }

    private static void Integer(ApiDefinition api, JsonNode value, string? format, string where, bool answer, List<string> problems)
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
        else if (answer && api.Proto3 && number == 0)
        {
            problems.Add($"{where} is 0, a default value that proto3 JSON leaves out");
        }
    }

    private static void String(ApiDefinition api, JsonNode value, JsonObject type, string? format, string where, bool answer, List<string> problems)
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
            else if (answer && api.Proto3 && values[0]!.GetValue<string>() == text && text.EndsWith("_UNSPECIFIED", StringComparison.Ordinal))
            {
                problems.Add($"{where} is {text}, the enum's default that proto3 JSON leaves out");
            }

            return;
        }

        if (answer && api.Proto3 && (text.Length == 0 || (format is "int64" or "uint64" && text == "0")))
        {
            problems.Add($"{where} is \"{text}\", a default value that proto3 JSON leaves out");
            return;
        }

        var ok = format switch
        {
            "int64" => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "uint64" => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            "byte" => IsBase64(text),
            "google-datetime" or "date-time" => Timestamp().IsMatch(text),
            "google-duration" => Duration().IsMatch(text),
            _ => true,
        };
        if (!ok)
        {
            problems.Add($"{where} is not a valid {format}: \"{Clip(text)}\"");
        }
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
