using System.Diagnostics.CodeAnalysis;

namespace Media.Sfu.Sdp;

/// <summary>
/// The <c>a=fmtp</c> parameter list "k=v;k=v" in written order. Names compare case-insensitively
/// (RFC 6184 §8.1, RFC 7587). Entries without "=" (RED "111/111", telephone-event "0-16") keep
/// a null value.
/// </summary>
public sealed class FormatParameters
{
    private readonly List<KeyValuePair<string, string?>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, string?>> Entries => _entries;

    public int Count => _entries.Count;

    public static FormatParameters Parse(string? text)
    {
        var result = new FormatParameters();
        if (string.IsNullOrWhiteSpace(text)) return result;
        foreach (string raw in text.Split(';'))
        {
            string part = raw.Trim();
            if (part.Length == 0) continue;
            int eq = part.IndexOf('=');
            if (eq < 0)
            {
                result._entries.Add(new(part, null));
            }
            else
            {
                string name = part[..eq].Trim();
                if (name.Length == 0) continue;
                result._entries.Add(new(name, part[(eq + 1)..].Trim()));
            }
        }
        return result;
    }

    public bool TryGet(string name, [NotNullWhen(true)] out string? value)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, name, StringComparison.OrdinalIgnoreCase) && entry.Value is not null)
            {
                value = entry.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    public string? Get(string name) => TryGet(name, out string? v) ? v : null;

    public bool TryGetInt(string name, out int value)
    {
        value = 0;
        return TryGet(name, out string? text) && SdpGrammar.TryParseInt(text, 0, int.MaxValue, out value);
    }

    /// <summary>Replaces the value of <paramref name="name"/>, or appends it.</summary>
    public FormatParameters Set(string name, string? value)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (string.Equals(_entries[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                _entries[i] = new(_entries[i].Key, value);
                return this;
            }
        }
        _entries.Add(new(name, value));
        return this;
    }

    public FormatParameters Remove(string name)
    {
        _entries.RemoveAll(e => string.Equals(e.Key, name, StringComparison.OrdinalIgnoreCase));
        return this;
    }

    public FormatParameters Clone()
    {
        var copy = new FormatParameters();
        copy._entries.AddRange(_entries);
        return copy;
    }

    /// <summary>Name → value map (last value wins); bare entries map to "".</summary>
    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _entries) map[entry.Key] = entry.Value ?? "";
        return map;
    }

    public override string ToString() =>
        string.Join(';', _entries.Select(e => e.Value is null ? e.Key : $"{e.Key}={e.Value}"));
}
