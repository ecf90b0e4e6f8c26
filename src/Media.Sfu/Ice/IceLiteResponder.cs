using Media.Sfu.Stun;

namespace Media.Sfu.Ice;

/// <summary>
/// Answers connectivity checks as an ICE-lite agent (RFC 8445 §2.5, §7.3): always controlled,
/// never sends checks, answers each Binding request on its own. Stateless; <see cref="IceLiteSession"/>
/// adds tuple binding, selection, restart and consent on top.
/// </summary>
/// <remarks>
/// Order of checks, following RFC 5389 §7.3 and §10.1.2: method and class; FINGERPRINT (a
/// missing or wrong one means the message is discarded, as RFC 5389 §7.3 does for failed
/// FINGERPRINT checks in a usage that requires it); USERNAME and MESSAGE-INTEGRITY present
/// (else 400); USERNAME names our ufrag (else 401, RFC 5389 §10.1.2); integrity (else 401);
/// unknown comprehension-required attributes (420); PRIORITY present (else 400); ICE-CONTROLLED
/// (487). Responses to requests that failed authentication carry no MESSAGE-INTEGRITY (RFC 5389
/// §10.1.2); all carry FINGERPRINT (RFC 8445 §7.3).
/// </remarks>
public static class IceLiteResponder
{
    /// <summary>The caller's response buffer must be at least this long.</summary>
    public const int MaxResponseLength = 128;
    /// <summary>At most this many types are echoed in UNKNOWN-ATTRIBUTES, to bound the response.</summary>
    private const int MaxUnknownAttributesReported = 8;

    /// <summary>
    /// The local ufrag a request names: the bytes of USERNAME before the first ':' (RFC 8445 §7.2.2:
    /// USERNAME is "receiver-ufrag:sender-ufrag"). Use it to find the transport before processing.
    /// False when there is no USERNAME or it has no ':'.
    /// </summary>
    public static bool TryGetLocalUfrag(in StunMessage request, out ReadOnlySpan<byte> localUfrag)
    {
        localUfrag = default;
        if (!request.TryGetUsername(out ReadOnlySpan<byte> username))
            return false;
        int colon = username.IndexOf((byte)':');
        if (colon <= 0)
            return false;
        localUfrag = username[..colon];
        return true;
    }

    public static IceCheckResult Process(in StunMessage request, IceCredentials local, in IceTuple remote, Span<byte> response)
    {
        ArgumentNullException.ThrowIfNull(local);
        return Process(request, local.UfragBytes, local.PasswordBytes, remote, response);
    }

    /// <summary>
    /// Processes one parsed STUN message addressed to a transport whose credentials are
    /// <paramref name="localUfrag"/>/<paramref name="localPassword"/> and that arrived from
    /// <paramref name="remote"/>. Writes any response into <paramref name="response"/>
    /// (at least <see cref="MaxResponseLength"/> bytes); the caller sends
    /// <c>response[..result.ResponseLength]</c> back on the same tuple.
    /// </summary>
    public static IceCheckResult Process(in StunMessage request, ReadOnlySpan<byte> localUfrag, ReadOnlySpan<byte> localPassword,
        in IceTuple remote, Span<byte> response)
    {
        if (response.Length < MaxResponseLength)
            throw new ArgumentException($"The response buffer must hold at least {MaxResponseLength} bytes.", nameof(response));

        if (request.Method != StunMethod.Binding)
            return Result(IceCheckOutcome.Dropped);
        StunClass messageClass = request.Class;
        if (messageClass == StunClass.Indication)
        {
            // RFC 8445 §11 keepalives. A wrong FINGERPRINT marks it as not ours; unknown
            // comprehension-required attributes discard an indication (RFC 5389 §7.3.2).
            bool discard = (request.HasFingerprint && !request.ValidateFingerprint())
                           || request.UnknownComprehensionRequiredCount > 0;
            return Result(discard ? IceCheckOutcome.Dropped : IceCheckOutcome.Indication);
        }
        if (messageClass != StunClass.Request)
            return Result(IceCheckOutcome.Dropped);
        if (!request.HasFingerprint || !request.ValidateFingerprint())
            return Result(IceCheckOutcome.Dropped);

        if (!request.HasUsername || !request.HasMessageIntegrity)
            return Error(request, response, IceCheckOutcome.BadRequest, default, default);
        request.TryGetUsername(out ReadOnlySpan<byte> username);
        int colon = username.IndexOf((byte)':');
        if (colon <= 0 || colon == username.Length - 1)
            return Error(request, response, IceCheckOutcome.BadRequest, default, default);
        ReadOnlySpan<byte> remoteUfrag = username[(colon + 1)..];
        if (!username[..colon].SequenceEqual(localUfrag) || !request.ValidateMessageIntegrity(localPassword))
            return Error(request, response, IceCheckOutcome.Unauthorized, default, remoteUfrag);

        // Authenticated from here on: error responses are signed with the local password.
        if (request.UnknownComprehensionRequiredCount > 0)
            return Error(request, response, IceCheckOutcome.UnknownAttribute, localPassword, remoteUfrag);
        if (!request.TryGetPriority(out uint priority))
            return Error(request, response, IceCheckOutcome.BadRequest, localPassword, remoteUfrag);
        if (request.HasIceControlled)
            return Error(request, response, IceCheckOutcome.RoleConflict, localPassword, remoteUfrag);

        var writer = new StunWriter(response);
        Span<byte> address = stackalloc byte[16];
        int addressLength = remote.WriteAddress(address);
        bool written = writer.WriteHeader(StunMessageType.BindingSuccessResponse, request.TransactionId)
                       && writer.WriteXorMappedAddress(address[..addressLength], remote.Port)
                       && writer.WriteMessageIntegrity(localPassword)
                       && writer.WriteFingerprint();
        if (!written)
            return Result(IceCheckOutcome.Dropped); // only for default(IceTuple): no address to report
        return new IceCheckResult
        {
            Outcome = IceCheckOutcome.Success,
            ResponseLength = writer.Length,
            UseCandidate = request.HasUseCandidate,
            Priority = priority,
            RemoteUfrag = remoteUfrag,
        };
    }

    private static IceCheckResult Result(IceCheckOutcome outcome) => new() { Outcome = outcome };

    private static IceCheckResult Error(in StunMessage request, Span<byte> response, IceCheckOutcome outcome,
        ReadOnlySpan<byte> integrityKey, ReadOnlySpan<byte> remoteUfrag)
    {
        int code = outcome switch
        {
            IceCheckOutcome.BadRequest => StunErrorCode.BadRequest,
            IceCheckOutcome.Unauthorized => StunErrorCode.Unauthorized,
            IceCheckOutcome.UnknownAttribute => StunErrorCode.UnknownAttribute,
            _ => StunErrorCode.RoleConflict,
        };
        var writer = new StunWriter(response);
        writer.WriteHeader(StunMessageType.BindingErrorResponse, request.TransactionId);
        writer.WriteErrorCode(code);
        if (outcome == IceCheckOutcome.UnknownAttribute)
        {
            Span<ushort> unknown = stackalloc ushort[MaxUnknownAttributesReported];
            int count = request.GetUnknownComprehensionRequired(unknown);
            writer.WriteUnknownAttributes(unknown[..count]);
        }
        if (!integrityKey.IsEmpty)
            writer.WriteMessageIntegrity(integrityKey);
        writer.WriteFingerprint();
        return new IceCheckResult { Outcome = outcome, ResponseLength = writer.Length, RemoteUfrag = remoteUfrag };
    }
}
