using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Ice;

/// <summary>Builds the Binding requests a controlling browser sends, with switches to leave things out or break them.</summary>
internal sealed class BindingRequestBuilder
{
    public string? Username { get; set; }
    public string Password { get; set; } = "";
    public bool IncludeUsername { get; set; } = true;
    public bool IncludeIntegrity { get; set; } = true;
    public bool IncludeFingerprint { get; set; } = true;
    public bool CorruptFingerprint { get; set; }
    public bool IncludePriority { get; set; } = true;
    public uint Priority { get; set; } = 1853824767;
    public bool UseCandidate { get; set; }
    public bool Controlling { get; set; } = true;
    public bool Controlled { get; set; }
    public ushort? ExtraAttribute { get; set; }
    public ushort MessageType { get; set; } = StunMessageType.BindingRequest;
    public byte[] TransactionId { get; } = new byte[12];

    public static BindingRequestBuilder For(Media.Sfu.Ice.IceCredentials local, string remoteUfrag = "rmt1") =>
        new() { Username = $"{local.Ufrag}:{remoteUfrag}", Password = local.Password };

    public BindingRequestBuilder()
    {
        StunWriter.NewTransactionId(TransactionId);
    }

    public byte[] Build()
    {
        var buffer = new byte[512];
        var w = new StunWriter(buffer);
        w.WriteHeader(MessageType, TransactionId);
        if (IncludeUsername)
            w.WriteUsername(System.Text.Encoding.ASCII.GetBytes(Username ?? ""));
        w.WriteAttribute(0xC057, [0x00, 0x01, 0x00, 0x0A]); // GOOG-NETWORK-INFO, as Chrome sends it
        if (Controlling)
            w.WriteIceControlling(0x1122334455667788);
        if (Controlled)
            w.WriteIceControlled(0x1122334455667788);
        if (UseCandidate)
            w.WriteUseCandidate();
        if (IncludePriority)
            w.WritePriority(Priority);
        if (ExtraAttribute is ushort extra)
            w.WriteAttribute(extra, [1, 2, 3, 4]);
        if (IncludeIntegrity)
            w.WriteMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(Password));
        if (IncludeFingerprint)
            w.WriteFingerprint();
        byte[] bytes = w.Written.ToArray();
        if (CorruptFingerprint)
            bytes[^1] ^= 0xFF;
        return bytes;
    }
}
