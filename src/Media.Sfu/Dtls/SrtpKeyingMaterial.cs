using System.Security.Cryptography;
using Media.Sfu.Srtp;

namespace Media.Sfu.Dtls;

/// <summary>
/// SRTP master keys and salts derived from a DTLS handshake (RFC 5764 §4.2). The exporter output
/// is laid out client_write_key | server_write_key | client_write_salt | server_write_salt;
/// "local" is the half this endpoint sends with, "remote" the half it receives with.
/// </summary>
public sealed class SrtpKeyingMaterial
{
    /// <summary>RFC 5764 §4.2 exporter label.</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    private readonly byte[] _local;
    private readonly byte[] _remote;

    private SrtpKeyingMaterial(SrtpProfile profile, byte[] local, byte[] remote)
    {
        Profile = profile;
        _local = local;
        _remote = remote;
    }

    public SrtpProfile Profile { get; }

    /// <summary>Key||salt for the outbound <see cref="SrtpSession"/>.</summary>
    public ReadOnlySpan<byte> LocalKeyAndSalt => _local;

    /// <summary>Key||salt for the inbound <see cref="SrtpSession"/>.</summary>
    public ReadOnlySpan<byte> RemoteKeyAndSalt => _remote;

    public ReadOnlySpan<byte> LocalMasterKey => _local.AsSpan(0, Profile.MasterKeyLength());

    public ReadOnlySpan<byte> LocalMasterSalt => _local.AsSpan(Profile.MasterKeyLength());

    public ReadOnlySpan<byte> RemoteMasterKey => _remote.AsSpan(0, Profile.MasterKeyLength());

    public ReadOnlySpan<byte> RemoteMasterSalt => _remote.AsSpan(Profile.MasterKeyLength());

    /// <summary>Splits exporter output of length 2 × (key + salt) for the given DTLS role.</summary>
    public static SrtpKeyingMaterial FromExporterOutput(SrtpProfile profile, ReadOnlySpan<byte> exported, bool isDtlsClient)
    {
        var keyLength = profile.MasterKeyLength();
        var saltLength = profile.MasterSaltLength();
        if (exported.Length != 2 * (keyLength + saltLength))
        {
            throw new ArgumentException($"{profile} needs {2 * (keyLength + saltLength)} exported bytes, got {exported.Length}.", nameof(exported));
        }
        var clientKey = exported[..keyLength];
        var serverKey = exported.Slice(keyLength, keyLength);
        var clientSalt = exported.Slice(2 * keyLength, saltLength);
        var serverSalt = exported.Slice(2 * keyLength + saltLength, saltLength);

        var client = new byte[keyLength + saltLength];
        clientKey.CopyTo(client);
        clientSalt.CopyTo(client.AsSpan(keyLength));
        var server = new byte[keyLength + saltLength];
        serverKey.CopyTo(server);
        serverSalt.CopyTo(server.AsSpan(keyLength));

        return isDtlsClient
            ? new SrtpKeyingMaterial(profile, client, server)
            : new SrtpKeyingMaterial(profile, server, client);
    }

    /// <summary>Creates the session that protects what this endpoint sends.</summary>
    public SrtpSession CreateOutboundSession() => new(Profile, SrtpDirection.Outbound, _local);

    /// <summary>Creates the session that unprotects what the peer sends.</summary>
    public SrtpSession CreateInboundSession() => new(Profile, SrtpDirection.Inbound, _remote);

    /// <summary>Overwrites the keys once the SRTP sessions have been created.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_local);
        CryptographicOperations.ZeroMemory(_remote);
    }
}
