using System.Net;
using System.Net.Sockets;
using Media.Sfu.Ice;
using Media.Sfu.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace Media.Sfu.Tests.Net;

/// <summary>The UDP worker over real loopback sockets, in each receive mode: what the handler sends from the worker goes out.</summary>
public sealed class UdpMediaSocketTests
{
    /// <summary>Answers every datagram with its bytes reversed, from the worker thread (as forwarding does).</summary>
    private sealed class ReversingHandler : IMediaPacketHandler
    {
        public int Handled;
        public int? ThreadId;
        public void HandlePacket(Span<byte> packet, in IceTuple remote, IMediaEndpoint via)
        {
            ThreadId ??= Environment.CurrentManagedThreadId;
            Handled++;
            packet.Reverse();
            via.SendTo(packet, remote);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    public void EchoesEveryDatagram_InOrder_InEachMode(int batchSize)
    {
        var handler = new ReversingHandler();
        using var socket = new UdpMediaSocket(new IPEndPoint(IPAddress.Loopback, 0), handler, 1, NullLogger.Instance, 1 << 20, batchSize);
        socket.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.Connect(socket.LocalEndPoint);
        client.ReceiveTimeout = 5000;
        var buffer = new byte[2048];
        for (var round = 0; round < 20; round++)
        {
            // A burst, so batches of more than one datagram happen.
            for (var i = 0; i < 40; i++) client.Send(new byte[] { (byte)round, (byte)i, 0xAA, 0xBB, (byte)(i * 3) });
            for (var i = 0; i < 40; i++)
            {
                var n = client.Receive(buffer);
                Assert.Equal(new byte[] { (byte)(i * 3), 0xBB, 0xAA, (byte)i, (byte)round }, buffer[..n]);
            }
        }
        Assert.Equal(800, handler.Handled);
        Assert.Equal(800, socket.PacketsReceived);
        Assert.Equal(0, socket.PacketsDropped);
        if (batchSize > 0)
        {
            Assert.Equal(batchSize, socket.BatchSize);
            // The worker counts a batch just after sendmmsg returns, which may be after the client has read it.
            SpinWait.SpinUntil(() => socket.PacketsSentBatched == 800, TimeSpan.FromSeconds(2));
            Assert.Equal(800, socket.PacketsSentBatched);
            Assert.InRange(socket.ReceiveBatches, 800 / batchSize, 800);
            Assert.NotEqual(Environment.CurrentManagedThreadId, handler.ThreadId);
        }
    }

    [Fact]
    public void OversizeDatagram_IsDroppedAndTheWorkerKeepsServing()
    {
        var handler = new ReversingHandler();
        using var socket = new UdpMediaSocket(new IPEndPoint(IPAddress.Loopback, 0), handler, 1, NullLogger.Instance, 1 << 20, 8);
        socket.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(socket.LocalEndPoint);
        client.ReceiveTimeout = 5000;
        client.Send(new byte[UdpMediaSocket.BatchSlotSize + 1]);
        client.Send(new byte[] { 1, 2 });
        var buffer = new byte[64];
        Assert.Equal(2, client.Receive(buffer));
        Assert.Equal(new byte[] { 2, 1 }, buffer[..2]);
        Assert.Equal(1, socket.PacketsDropped);
        Assert.Equal(1, handler.Handled);
    }

    [Fact]
    public void SendFromAnotherThread_GoesOutAtOnce()
    {
        var handler = new ReversingHandler();
        using var socket = new UdpMediaSocket(new IPEndPoint(IPAddress.Loopback, 0), handler, 1, NullLogger.Instance, 1 << 20, 32);
        socket.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 5000;
        socket.SendTo(new byte[] { 9, 8, 7 }, IceTuple.From(IceProtocol.Udp, (IPEndPoint)client.LocalEndPoint!));
        var buffer = new byte[16];
        Assert.Equal(3, client.Receive(buffer));
        Assert.Equal(0, socket.PacketsSentBatched);
    }
}
