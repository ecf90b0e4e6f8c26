using System.Text;
using Media.Sfu.Ice;
using Media.Sfu.Stun;

namespace Media.Sfu.Bench.Workloads;

/// <summary>
/// An ICE-lite transport answering a browser's connectivity check: a Binding request as Chrome
/// sends it (USERNAME, PRIORITY, USE-CANDIDATE, ICE-CONTROLLING, MESSAGE-INTEGRITY, FINGERPRINT)
/// parsed from the datagram and processed by <see cref="IceLiteSession"/>, which writes the
/// response. A second request carries a MESSAGE-INTEGRITY made with the wrong password: the 401 path.
/// </summary>
public sealed class StunWorkload
{
    public const string LocalUfrag = "Lb2sYq7kZc9RfT1m";
    public const string LocalPassword = "p0Vx3Hq8Wn2Jt6Ld9Rb4Gk7Ms1Fz5Cy+";
    public const string RemoteUfrag = "Xy4/";
    public const uint Priority = 0x6E7F_1EFF;

    private readonly byte[] _request;
    private readonly byte[] _unauthorizedRequest;
    private readonly IceTuple _remote;
    private readonly IceLiteSession _session;

    public StunWorkload()
    {
        var credentials = new IceCredentials(LocalUfrag, LocalPassword);
        byte[] transactionId = Convert.FromHexString("b7e7a701bc34d686fa87dfae");
        _request = BindingRequest(transactionId, Encoding.ASCII.GetBytes(LocalPassword));
        _unauthorizedRequest = BindingRequest(transactionId, Encoding.ASCII.GetBytes("WrongPasswordWrongPassword0123+/"));
        if (!IceTuple.TryCreate(IceProtocol.Udp, [192, 0, 2, 10], 54_321, out _remote))
            throw new InvalidOperationException("Could not create the remote tuple.");
        // A day of consent: the 401 benchmark never renews it, and a closed session would drop
        // everything and so measure the wrong path.
        _session = new IceLiteSession(credentials, consentTimeout: TimeSpan.FromDays(1));
    }

    public byte[] Request => _request;
    public byte[] UnauthorizedRequest => _unauthorizedRequest;
    public IceTuple Remote => _remote;
    public IceLiteSession Session => _session;
    /// <summary>The response written by the last call (the first <c>ResponseLength</c> bytes count).</summary>
    public byte[] Response { get; } = new byte[IceLiteResponder.MaxResponseLength];
    public IceCheckOutcome LastOutcome { get; private set; }

    /// <summary>Parse only (attribute offsets; no integrity or fingerprint check); returns the message length.</summary>
    public int Parse()
    {
        if (!StunMessage.TryParse(_request, out StunMessage message) || !message.HasMessageIntegrity)
            Fail.Throw("the request did not parse");
        return message.Length;
    }

    /// <summary>Parse + <see cref="IceLiteSession.Process"/> of the valid request; returns the success response's length.</summary>
    public int ProcessBindingRequest() => Process(_request);

    /// <summary>Parse + process of the request signed with the wrong password; returns the 401 response's length.</summary>
    public int ProcessUnauthorizedRequest() => Process(_unauthorizedRequest);

    private int Process(byte[] datagram)
    {
        if (!StunMessage.TryParse(datagram, out StunMessage message))
            Fail.Throw("the request did not parse");
        IceCheckResult result = _session.Process(message, _remote, Response);
        LastOutcome = result.Outcome;
        return result.ResponseLength;
    }

    private static byte[] BindingRequest(byte[] transactionId, byte[] integrityKey)
    {
        var buffer = new byte[256];
        var writer = new StunWriter(buffer);
        bool ok = writer.WriteHeader(StunMessageType.BindingRequest, transactionId)
                  && writer.WriteUsername(Encoding.ASCII.GetBytes($"{LocalUfrag}:{RemoteUfrag}"))
                  && writer.WritePriority(Priority)
                  && writer.WriteUseCandidate()
                  && writer.WriteIceControlling(0x0123_4567_89AB_CDEF)
                  && writer.WriteMessageIntegrity(integrityKey)
                  && writer.WriteFingerprint();
        if (!ok)
            throw new InvalidOperationException("Could not write the Binding request.");
        return writer.Written.ToArray();
    }
}
