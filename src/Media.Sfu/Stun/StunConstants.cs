namespace Media.Sfu.Stun;

/// <summary>The class bits of a STUN message type (RFC 5389 §6).</summary>
public enum StunClass : byte
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}

/// <summary>STUN methods this stack uses (RFC 5389 §18.1).</summary>
public static class StunMethod
{
    public const ushort Binding = 0x001;
}

/// <summary>Composes and splits the 14-bit message type, whose class bits are interleaved with the method (RFC 5389 §6).</summary>
public static class StunMessageType
{
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingIndication = 0x0011;
    public const ushort BindingSuccessResponse = 0x0101;
    public const ushort BindingErrorResponse = 0x0111;

    public static ushort Compose(StunClass messageClass, ushort method)
    {
        int c = (int)messageClass;
        return (ushort)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                        | ((c & 1) << 4) | ((c & 2) << 7));
    }

    public static StunClass ClassOf(ushort messageType) =>
        (StunClass)(((messageType >> 4) & 1) | ((messageType >> 7) & 2));

    public static ushort MethodOf(ushort messageType) =>
        (ushort)((messageType & 0x000F) | ((messageType >> 1) & 0x0070) | ((messageType >> 2) & 0x0F80));
}

/// <summary>Attribute type codes (RFC 5389 §18.2, RFC 8445 §16.1, RFC 8489 §18.3).</summary>
public static class StunAttributeType
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort MessageIntegritySha256 = 0x001C;
    public const ushort PasswordAlgorithm = 0x001D;
    public const ushort UserHash = 0x001E;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort PasswordAlgorithms = 0x8002;
    public const ushort AlternateDomain = 0x8003;
    public const ushort Software = 0x8022;
    public const ushort AlternateServer = 0x8023;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;

    /// <summary>Types 0x0000-0x7FFF are comprehension-required (RFC 5389 §15).</summary>
    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;

    /// <summary>
    /// Comprehension-required types this stack knows, whether or not it acts on them; any
    /// other comprehension-required type in a request earns a 420 (RFC 5389 §7.3.1).
    /// </summary>
    public static bool IsKnownComprehensionRequired(ushort type) => type switch
    {
        MappedAddress or Username or MessageIntegrity or ErrorCode or UnknownAttributes or Realm
            or Nonce or MessageIntegritySha256 or PasswordAlgorithm or UserHash or XorMappedAddress
            or Priority or UseCandidate => true,
        _ => false,
    };
}

/// <summary>Error codes used by ICE and their recommended reason phrases (RFC 5389 §15.6, RFC 8445 §16.2).</summary>
public static class StunErrorCode
{
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int UnknownAttribute = 420;
    public const int StaleNonce = 438;
    public const int RoleConflict = 487;
    public const int ServerError = 500;

    /// <summary>The recommended reason phrase as UTF-8, or an empty span for codes without one here.</summary>
    public static ReadOnlySpan<byte> ReasonPhrase(int code) => code switch
    {
        BadRequest => "Bad Request"u8,
        Unauthorized => "Unauthorized"u8,
        UnknownAttribute => "Unknown Attribute"u8,
        StaleNonce => "Stale Nonce"u8,
        RoleConflict => "Role Conflict"u8,
        ServerError => "Server Error"u8,
        _ => ReadOnlySpan<byte>.Empty,
    };
}

/// <summary>Fixed numbers of the STUN wire format (RFC 5389 §6, §15).</summary>
public static class StunConstants
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const int AttributeHeaderLength = 4;
    public const int MessageIntegrityLength = 20;
    /// <summary>MESSAGE-INTEGRITY attribute on the wire: header plus HMAC-SHA1.</summary>
    public const int MessageIntegrityAttributeLength = AttributeHeaderLength + MessageIntegrityLength;
    /// <summary>FINGERPRINT attribute on the wire: header plus CRC-32.</summary>
    public const int FingerprintAttributeLength = AttributeHeaderLength + 4;
    /// <summary>XORed into the CRC-32 so FINGERPRINT differs from other protocols' CRCs (RFC 5389 §15.5).</summary>
    public const uint FingerprintXor = 0x5354554E;
}
