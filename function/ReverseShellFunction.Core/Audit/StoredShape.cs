using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Reads a JSON object that a store holds (an index entry, a manifest) into its record type, and refuses what
/// the type's contract forbids: the serializer fills a non-nullable member with null when the JSON says
/// <c>null</c> (<c>"files": null</c>, <c>"files": [null]</c>, <c>"summary": null</c>). Such an object is
/// reported as unreadable, with the path of the first null, instead of crashing whoever reads it later. The
/// check follows the types' own nullability annotations, so a member added later is covered without a change here.
/// </summary>
public static class StoredShape
{
    private const int MaxDepth = 16;

    // NullabilityInfoContext is not thread-safe (its caches are plain dictionaries; concurrent use threw
    // IndexOutOfRangeException from Dictionary.TryInsert), and audits, the embedded runner and completions read
    // stored objects concurrently: one context, used under a lock, its answers kept per property.
    private static readonly NullabilityInfoContext s_nullability = new();
    private static readonly Lock s_nullabilityLock = new();
    private static readonly ConcurrentDictionary<PropertyInfo, NullabilityInfo> s_nullabilityOf = new();

    /// <exception cref="InvalidDataException">Not JSON, not valid text, the wrong shape, or a null where the type allows none.</exception>
    public static T Read<T>(ReadOnlySpan<byte> json, string what)
        where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, EvidenceJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // InvalidOperationException: a string that is not valid UTF-8, or an escaped lone surrogate.
            throw new InvalidDataException($"{what} is not readable JSON of the expected shape: {DisplayText.Visible(ex.Message)}", ex);
        }

        if (value is null)
        {
            throw new InvalidDataException($"{what} is null.");
        }

        if (FirstNull(value, "", 0) is { } path)
        {
            throw new InvalidDataException($"{what} has null at '{path}', which must have a value.");
        }

        return value;
    }

    private static NullabilityInfo Nullability(PropertyInfo property) =>
        s_nullabilityOf.GetOrAdd(property, static p =>
        {
            lock (s_nullabilityLock)
            {
                return s_nullability.Create(p);
            }
        });

    /// <summary>The path of the first null where the declared type has no null, or null when there is none.</summary>
    internal static string? FirstNull(object value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var member = path.Length == 0 ? JsonName(property.Name) : $"{path}.{JsonName(property.Name)}";
            var nullability = Nullability(property);
            var child = property.GetValue(value);
            if (child is null)
            {
                if (nullability.ReadState == NullabilityState.NotNull && !property.PropertyType.IsValueType)
                {
                    return member;
                }

                continue;
            }

            if (FirstNullWithin(child, nullability, member, depth) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? FirstNullWithin(object child, NullabilityInfo nullability, string member, int depth)
    {
        if (child is string || child.GetType().IsPrimitive || child is DateTimeOffset || child is JsonElement || child.GetType().IsEnum)
        {
            return null;
        }

        if (child is IEnumerable items)
        {
            var element = nullability.GenericTypeArguments.Length == 1 ? nullability.GenericTypeArguments[0]
                : nullability.ElementType;
            var index = 0;
            foreach (var item in items)
            {
                if (item is null)
                {
                    if (element?.ReadState == NullabilityState.NotNull)
                    {
                        return $"{member}[{index}]";
                    }
                }
                else if (element is not null && FirstNullWithin(item, element, $"{member}[{index}]", depth + 1) is { } found)
                {
                    return found;
                }

                index++;
            }

            return null;
        }

        // Only this program's own records are walked; anything else is a value.
        return child.GetType().Namespace?.StartsWith("ReverseShellFunction", StringComparison.Ordinal) == true
            ? FirstNull(child, member, depth + 1)
            : null;
    }

    private static string JsonName(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
}
