using System.Text.Json;
using ControlPlane.Api.Chat;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// Reads one hub argument as the seeds describe it, refusing anything else with an INVALID_PAYLOAD /
/// PAYLOAD_TOO_LARGE <see cref="HubError"/> that names the field. Hub methods take their argument as a raw
/// <see cref="JsonElement"/> so that a wrong type is answered with an error event instead of a binding failure.
/// </summary>
public readonly struct HubPayload
{
    private readonly JsonElement _root;
    private readonly bool _present;

    private HubPayload(JsonElement root, bool present) { _root = root; _present = present; }

    /// <summary>The argument must be an object (or, when <paramref name="optional"/>, may be absent or null).</summary>
    public static HubPayload Of(JsonElement argument, bool optional = false)
    {
        if (argument.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            if (optional) return new HubPayload(default, false);
            throw new HubError(HubErrorCodes.InvalidPayload, "A payload object is required");
        }
        if (argument.ValueKind != JsonValueKind.Object)
            throw new HubError(HubErrorCodes.InvalidPayload, $"The payload must be an object, not {Kind(argument)}");
        return new HubPayload(argument, true);
    }

    public bool Has(string name) => _present && _root.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    public string? String(string name, int maxLength, bool required = false)
    {
        if (!Get(name, out var v))
        {
            if (required) throw Missing(name);
            return null;
        }
        if (v.ValueKind != JsonValueKind.String) throw Wrong(name, "a string", v);
        var s = v.GetString()!;
        if (s.Length > maxLength) throw new HubError(HubErrorCodes.PayloadTooLarge, $"{name} is longer than {maxLength} characters");
        if (required && string.IsNullOrWhiteSpace(s)) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must not be empty");
        return s;
    }

    public Guid Id(string name)
    {
        var s = String(name, 64, required: true)!;
        if (!Guid.TryParse(s, out var id)) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must be a UUID");
        return id;
    }

    public Guid? OptionalId(string name) => Has(name) ? Id(name) : null;

    public double? Number(string name, double min, double max, bool required = false)
    {
        if (!Get(name, out var v))
        {
            if (required) throw Missing(name);
            return null;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || double.IsNaN(d) || double.IsInfinity(d)) throw Wrong(name, "a number", v);
        if (d < min || d > max) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must be between {min} and {max}");
        return d;
    }

    public int? Integer(string name, int min, int max)
    {
        var d = Number(name, min, max);
        if (d is { } x && x != Math.Floor(x)) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must be a whole number");
        return (int?)d;
    }

    public bool? Bool(string name, bool required = false)
    {
        if (!Get(name, out var v))
        {
            if (required) throw Missing(name);
            return null;
        }
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Wrong(name, "true or false", v);
        return v.GetBoolean();
    }

    /// <summary>A nested object, limited to <paramref name="maxChars"/> characters of JSON.</summary>
    public JsonElement? Object(string name, int maxChars, bool required = false)
    {
        if (!Get(name, out var v))
        {
            if (required) throw Missing(name);
            return null;
        }
        if (v.ValueKind != JsonValueKind.Object) throw Wrong(name, "an object", v);
        if (v.GetRawText().Length > maxChars) throw new HubError(HubErrorCodes.PayloadTooLarge, $"{name} is larger than {maxChars} characters");
        return v;
    }

    /// <summary>
    /// A session description as an RTCSessionDescriptionInit {type, sdp} (a type, if given, must match
    /// <paramref name="kind"/>) or as the bare SDP string, at most <paramref name="maxChars"/> characters; returns the SDP.
    /// </summary>
    public string Description(string name, SignalKind kind, int maxChars)
    {
        if (!Get(name, out var v)) throw Missing(name);
        if (v.ValueKind == JsonValueKind.String) return String(name, maxChars, required: true)!;
        if (v.ValueKind != JsonValueKind.Object) throw Wrong(name, "an object {type, sdp} or an SDP string", v);
        return new HubPayloadPart(Object(name, maxChars)!.Value).Description(name, kind).GetProperty("sdp").GetString()!;
    }

    /// <summary>
    /// An ICE candidate as an RTCIceCandidateInit {candidate, sdpMid, sdpMLineIndex} or as the bare candidate line, at
    /// most <paramref name="maxChars"/> characters. The line is empty or an RFC 8839 §5.1 candidate attribute
    /// ("candidate:…", with or without "a="). An explicit null, or an empty line, marks the end of candidates: returns "".
    /// </summary>
    public string Candidate(string name, int maxChars)
    {
        if (_present && _root.TryGetProperty(name, out var raw) && raw.ValueKind == JsonValueKind.Null) return "";
        if (!Get(name, out var v)) throw Missing(name);
        string line;
        if (v.ValueKind == JsonValueKind.String) line = String(name, maxChars)!;
        else if (v.ValueKind == JsonValueKind.Object)
        {
            line = new HubPayloadPart(Object(name, maxChars)!.Value).Candidate(name).GetProperty("candidate").GetString()!;
            if (v.TryGetProperty("sdpMid", out var mid) && mid.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw Wrong(name + ".sdpMid", "a string", mid);
        }
        else throw Wrong(name, "an object {candidate, sdpMid, sdpMLineIndex} or a candidate string", v);
        var body = line.StartsWith("a=", StringComparison.Ordinal) ? line[2..] : line;
        if (body.Length > 0 && (!body.StartsWith("candidate:", StringComparison.Ordinal) || body.Any(char.IsControl)))
            throw new HubError(HubErrorCodes.InvalidPayload, $"{name} must be an ICE candidate line (candidate:…) or empty");
        return body;
    }

    public HubPayload Nested(string name) => Object(name, int.MaxValue) is { } o ? new HubPayload(o, true) : new HubPayload(default, false);

    /// <summary>A list of short strings (interests): trimmed, lower-cased, de-duplicated, blanks dropped.</summary>
    public string[] StringList(string name, int maxItems, int maxLength)
    {
        if (!Get(name, out var v)) return Array.Empty<string>();
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(name, "an array of strings", v);
        if (v.GetArrayLength() > maxItems) throw new HubError(HubErrorCodes.InvalidPayload, $"{name} may hold at most {maxItems} items");
        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw Wrong(name + "[]", "a string", item);
            var s = item.GetString()!.Trim().ToLowerInvariant();
            if (s.Length > maxLength) throw new HubError(HubErrorCodes.PayloadTooLarge, $"{name} items must be at most {maxLength} characters");
            if (s.Length > 0 && !list.Contains(s)) list.Add(s);
        }
        return list.ToArray();
    }

    private bool Get(string name, out JsonElement value)
    {
        value = default;
        return _present && _root.TryGetProperty(name, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
    }

    private static HubError Missing(string name) => new(HubErrorCodes.InvalidPayload, $"{name} is required");

    private static HubError Wrong(string name, string expected, JsonElement v) =>
        new(HubErrorCodes.InvalidPayload, $"{name} must be {expected}, not {Kind(v)}");

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
