using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Turn.Auth;

/// <summary>
/// Checks that a TURN server answers: sends one STUN Binding request over UDP (RFC 5389 §6, which coturn
/// answers without authentication) and waits for a success response with the same transaction id.
/// </summary>
public static class TurnServerProbe
{
    public static async Task<bool> IsAnsweringAsync(IPEndPoint server, TimeSpan timeout, CancellationToken ct = default)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var request = new byte[20];
        request[1] = 0x01; // Binding request
        request[4] = 0x21; request[5] = 0x12; request[6] = 0xA4; request[7] = 0x42; // magic cookie
        RandomNumberGenerator.Fill(request.AsSpan(8, 12));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var buffer = new byte[1500];
        try
        {
            await socket.SendToAsync(request, server, cts.Token);
            while (true)
            {
                var r = await socket.ReceiveFromAsync(buffer, new IPEndPoint(server.Address, 0), cts.Token);
                if (r.ReceivedBytes >= 20 && buffer[0] == 0x01 && buffer[1] == 0x01 &&
                    buffer.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                    return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (SocketException) { return false; }
    }

    /// <summary>The host:port of a turn: URL, for probing.</summary>
    public static IPEndPoint? EndPointOf(string url)
    {
        if (!TurnUrl.TryParse(url, out var host, out var port)) return null;
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        try
        {
            var addrs = Dns.GetHostAddresses(host);
            return addrs.Length == 0 ? null : new IPEndPoint(addrs[0], port);
        }
        catch (SocketException) { return null; }
    }
}
