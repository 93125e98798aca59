using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Reads a JSON object that a store holds (an index entry, a manifest) into its record type, and refuses what
/// the type's contract forbids: by default the serializer fills a non-nullable member with null when the JSON says
/// <c>null</c> (<c>"files": null</c>, <c>"files": [null]</c>, <c>"summary": null</c>) or leaves it out. Such an
/// object is reported as unreadable, with the path of the first null, instead of crashing whoever reads it later.
/// The check follows the types' own nullability annotations (the serializer's metadata of them), so a member added
/// later is covered without a change here.
/// </summary>
public static class StoredShape
{
    // Reading only: EvidenceJson.Options also writes. A null where the type allows none (written as null, left out
    // of a positional record, or inside a list) is refused after each object is read, from the serializer's own
    // nullability metadata. RespectNullableAnnotations is left off on purpose: it refuses the same explicit nulls,
    // but with a message addressed to the type's developer ("Consider updating its nullability annotation"), which
    // an auditor would read in verify's output.
    private static readonly JsonSerializerOptions s_reading = new(EvidenceJson.Options)
    {
        TypeInfoResolver = EvidenceJson.Options.TypeInfoResolver!.WithAddedModifier(RefuseNullsAfterReading),
    };

    /// <exception cref="InvalidDataException">Not JSON, not valid text, the wrong shape, or a null where the type allows none.</exception>
    public static T Read<T>(ReadOnlySpan<byte> json, string what)
        where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, s_reading);
        }
        catch (JsonException ex) when (ex.InnerException is NullMemberException member)
        {
            var at = ex.Path is null or "$" ? member.Name : $"{ex.Path.TrimStart('$', '.')}.{member.Name}";
            throw new InvalidDataException($"{what} has null at '{at}', which must have a value.", ex);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // InvalidOperationException: a string that is not valid UTF-8, or an escaped lone surrogate.
            throw new InvalidDataException($"{what} is not readable JSON of the expected shape: {DisplayText.Visible(ex.Message)}", ex);
        }

        return value ?? throw new InvalidDataException($"{what} is null.");
    }

    /// <summary>
    /// Once an object is read: a non-nullable member still null was left out of the JSON, and a list holds no nulls
    /// (every list in a stored shape is of values; the serializer cannot see an element's annotation).
    /// </summary>
    private static void RefuseNullsAfterReading(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var members = type.Properties
            .Where(p => p.Get is not null && !p.PropertyType.IsValueType && (!p.IsGetNullable || IsList(p.PropertyType)))
            .ToArray();
        if (members.Length == 0)
        {
            return;
        }

        type.OnDeserialized = value =>
        {
            foreach (var member in members)
            {
                var child = member.Get!(value);
                if (child is null && !member.IsGetNullable)
                {
                    throw new JsonException(null, new NullMemberException(member.Name));
                }

                if (child is IEnumerable items and not string)
                {
                    var index = 0;
                    foreach (var item in items)
                    {
                        if (item is null)
                        {
                            throw new JsonException(null, new NullMemberException($"{member.Name}[{index}]"));
                        }

                        index++;
                    }
                }
            }
        };
    }

    private static bool IsList(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private sealed class NullMemberException(string name) : Exception(name)
    {
        public string Name { get; } = name;
    }
}
