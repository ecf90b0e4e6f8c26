using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Media.Sfu.Ice;

/// <summary>
/// Maps local ufrags to whatever the owner keeps per transport, looked up by the raw USERNAME
/// bytes of a request (<see cref="IceLiteResponder.TryGetLocalUfrag"/>) without allocating a
/// string. Thread-safe (a <see cref="ConcurrentDictionary{TKey,TValue}"/> underneath). During an
/// ICE restart register the pending ufrag as well and remove the retired one after
/// <see cref="IceSessionEvents.CredentialsRotated"/>.
/// </summary>
public sealed class IceUfragTable<TValue>
{
    private readonly ConcurrentDictionary<string, TValue> _map;
    private readonly ConcurrentDictionary<string, TValue>.AlternateLookup<ReadOnlySpan<byte>> _byBytes;

    public IceUfragTable()
    {
        _map = new ConcurrentDictionary<string, TValue>(AsciiOrdinalComparer.Instance);
        _byBytes = _map.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _map.Count;

    /// <summary>False if the ufrag is already taken (a collision the caller must resolve, e.g. by regenerating).</summary>
    public bool TryAdd(string ufrag, TValue value) => _map.TryAdd(ufrag, value);

    public bool TryRemove(string ufrag, [MaybeNullWhen(false)] out TValue value) => _map.TryRemove(ufrag, out value);

    public bool TryGetValue(string ufrag, [MaybeNullWhen(false)] out TValue value) => _map.TryGetValue(ufrag, out value);

    /// <summary>Zero-allocation lookup by the ufrag's bytes (ice-chars are ASCII).</summary>
    public bool TryGetValue(ReadOnlySpan<byte> ufrag, [MaybeNullWhen(false)] out TValue value) => _byBytes.TryGetValue(ufrag, out value);

    /// <summary>Ordinal comparison where a byte equals the char with the same code; hashes agree for ASCII.</summary>
    private sealed class AsciiOrdinalComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<byte>, string>
    {
        public static readonly AsciiOrdinalComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string value)
        {
            var hash = new HashCode();
            foreach (char c in value)
                hash.Add(c);
            return hash.ToHashCode();
        }

        public bool Equals(ReadOnlySpan<byte> alternate, string other)
        {
            if (alternate.Length != other.Length)
                return false;
            for (int i = 0; i < alternate.Length; i++)
            {
                if (alternate[i] != other[i])
                    return false;
            }
            return true;
        }

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            foreach (byte b in alternate)
                hash.Add((char)b);
            return hash.ToHashCode();
        }

        // Only lookups go through the alternate key; inserting by bytes is not offered.
        public string Create(ReadOnlySpan<byte> alternate) => System.Text.Encoding.ASCII.GetString(alternate);
    }
}
