using System.Text.Json;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The first place two JSON values differ, as a path such as <c>$.network.remoteIp</c>, so a mismatch message
/// can say where. Property order does not matter; numbers compare by their text, as one serializer wrote both.
/// </summary>
public static class JsonDifference
{
    private const int MaxShown = 120;

    public static (string Path, string Left, string Right)? Find(JsonElement left, JsonElement right) => Find(left, right, "$");

    private static (string, string, string)? Find(JsonElement left, JsonElement right, string path)
    {
        if (left.ValueKind != right.ValueKind)
        {
            return Differ(path, left, right);
        }

        switch (left.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in left.EnumerateObject())
                {
                    if (!right.TryGetProperty(property.Name, out var other))
                    {
                        return ($"{path}.{property.Name}", Shown(property.Value), "(absent)");
                    }

                    if (Find(property.Value, other, $"{path}.{property.Name}") is { } inner)
                    {
                        return inner;
                    }
                }

                foreach (var property in right.EnumerateObject())
                {
                    if (!left.TryGetProperty(property.Name, out _))
                    {
                        return ($"{path}.{property.Name}", "(absent)", Shown(property.Value));
                    }
                }

                return null;

            case JsonValueKind.Array:
                var count = Math.Min(left.GetArrayLength(), right.GetArrayLength());
                for (var i = 0; i < count; i++)
                {
                    if (Find(left[i], right[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return left.GetArrayLength() == right.GetArrayLength()
                    ? null
                    : ($"{path}.length", left.GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture), right.GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture));

            case JsonValueKind.String:
                return string.Equals(left.GetString(), right.GetString(), StringComparison.Ordinal) ? null : Differ(path, left, right);

            case JsonValueKind.Number:
                return left.GetRawText() == right.GetRawText() ? null : Differ(path, left, right);

            default:
                return null;
        }
    }

    private static (string, string, string) Differ(string path, JsonElement left, JsonElement right) => (path, Shown(left), Shown(right));

    private static string Shown(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= MaxShown ? text : text[..MaxShown] + "…";
    }
}
