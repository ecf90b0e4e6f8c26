using System.Net;
using System.Net.Sockets;
using Media.Sfu.Ice;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Ice;

/// <summary>The per-packet path — parse, look up, authenticate, respond, frame — allocates nothing.</summary>
public class HotPathAllocationTests
{
    [Fact]
    public void ReceiveAndAnswerBindingRequests_AllocatesNothing()
    {
        IceCredentials local = IceCredentials.Generate();
        var session = new IceLiteSession(local);
        var table = new IceUfragTable<IceLiteSession>();
        table.TryAdd(local.Ufrag, session);
        var builder = BindingRequestBuilder.For(local);
        builder.UseCandidate = true;
        byte[] request = builder.Build();
        var badBuilder = BindingRequestBuilder.For(local);
        badBuilder.Password = IceCredentials.Generate().Password;
        byte[] badRequest = badBuilder.Build();
        SocketAddress from = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 50000).Serialize();
        var response = new byte[IceLiteResponder.MaxResponseLength];
        var framed = new byte[2 + request.Length];
        Rfc4571Framer.TryWriteFrame(request, framed, out _);
        var framer = new Rfc4571Framer();
        byte[][] datagrams = [request, badRequest];

        int Iterate()
        {
            int sent = 0;
            foreach (byte[] datagram in datagrams)
            {
                if (!StunMessage.IsStun(datagram) || !StunMessage.TryParse(datagram, out StunMessage m))
                    continue;
                if (!IceLiteResponder.TryGetLocalUfrag(m, out ReadOnlySpan<byte> ufrag) || !table.TryGetValue(ufrag, out IceLiteSession? s))
                    continue;
                IceTuple.TryCreate(IceProtocol.Udp, from, out IceTuple tuple);
                IceCheckResult r = s.Process(m, tuple, response);
                sent += r.ResponseLength;
            }
            framer.Append(framed);
            while (framer.TryReadFrame(out ReadOnlySpan<byte> frame) == FrameReadStatus.Frame)
                sent += frame.Length;
            return sent;
        }

        for (int i = 0; i < 200; i++)
            Iterate(); // warm up (JIT tiers, ArrayPool, crypto handles)
        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 1000; i++)
            total += Iterate();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(total > 0);
        Assert.Equal(0, allocated);
        Assert.Equal(ConsentState.Connected, session.Consent.State);
    }
}
