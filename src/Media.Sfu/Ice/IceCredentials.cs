using System.Security.Cryptography;
using System.Text;

namespace Media.Sfu.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8445 §5.3). The password's bytes are the
/// MESSAGE-INTEGRITY key for short-term credentials (RFC 5389 §15.4; ice-chars need no SASLprep).
/// Immutable; made on the signalling path.
/// </summary>
public sealed class IceCredentials
{
    /// <summary>ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).</summary>
    public const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    public const int MinUfragLength = 4;
    public const int MinPasswordLength = 22;
    public const int MaxLength = 256;
    /// <summary>
    /// 16 ice-chars = 96 random bits: the ufrag is the key a shared socket routes requests by, so it
    /// must not collide between transports (4 chars would collide after a few thousand).
    /// </summary>
    public const int DefaultUfragLength = 16;
    /// <summary>32 ice-chars = 192 bits, well above the 128 bits RFC 8445 §5.3 asks for.</summary>
    public const int DefaultPasswordLength = 32;

    private readonly byte[] _ufragBytes;
    private readonly byte[] _passwordBytes;

    public IceCredentials(string ufrag, string password)
    {
        ArgumentNullException.ThrowIfNull(ufrag);
        ArgumentNullException.ThrowIfNull(password);
        if (ufrag.Length < MinUfragLength || ufrag.Length > MaxLength || !IsIceChars(ufrag))
            throw new ArgumentException($"ice-ufrag must be {MinUfragLength}-{MaxLength} ice-chars.", nameof(ufrag));
        if (password.Length < MinPasswordLength || password.Length > MaxLength || !IsIceChars(password))
            throw new ArgumentException($"ice-pwd must be {MinPasswordLength}-{MaxLength} ice-chars.", nameof(password));
        Ufrag = ufrag;
        Password = password;
        _ufragBytes = Encoding.ASCII.GetBytes(ufrag);
        _passwordBytes = Encoding.ASCII.GetBytes(password);
    }

    public string Ufrag { get; }
    public string Password { get; }
    /// <summary>ASCII bytes of <see cref="Ufrag"/>, for comparing against USERNAME without allocating.</summary>
    public ReadOnlySpan<byte> UfragBytes => _ufragBytes;
    /// <summary>ASCII bytes of <see cref="Password"/>: the MESSAGE-INTEGRITY key.</summary>
    public ReadOnlySpan<byte> PasswordBytes => _passwordBytes;

    /// <summary>Fresh random credentials from a CSPRNG, unbiased over the 64 ice-chars.</summary>
    public static IceCredentials Generate(int ufragLength = DefaultUfragLength, int passwordLength = DefaultPasswordLength) =>
        new(RandomNumberGenerator.GetString(IceChars, ufragLength), RandomNumberGenerator.GetString(IceChars, passwordLength));

    public static bool IsIceChars(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
                return false;
        }
        return true;
    }

    /// <summary>Ufrag only: the password is a secret and stays out of logs.</summary>
    public override string ToString() => $"ufrag={Ufrag}";
}
