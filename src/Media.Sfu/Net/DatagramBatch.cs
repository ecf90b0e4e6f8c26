using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Media.Sfu.Ice;

namespace Media.Sfu.Net;

/// <summary>
/// recvmmsg(2) and sendmmsg(2) through libc (Linux ≥ 3.0): one system call moves a whole batch of
/// datagrams. The structures are the x86-64/arm64 LP64 layouts of &lt;sys/socket.h&gt;.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    private const string LibC = "libc.so.6";
    public const int MsgTrunc = 0x20;
    public const int MsgWaitForOne = 0x10000;
    public const int EIntr = 4;
    public const int EAgain = 11;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && IntPtr.Size == 8 && Probe();

    [LibraryImport(LibC, EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMmsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport(LibC, EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMmsg(int fd, MMsgHdr* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    private static bool Probe()
    {
        try
        {
            // A zero-length call on an invalid descriptor must fail with EBADF, proving the symbol resolves.
            return RecvMmsg(-1, null, 0, 0, null) == -1;
        }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }
}

/// <summary>
/// A fixed set of datagram slots in native memory for one batched system call: per slot a buffer, an
/// iovec, a sockaddr and an mmsghdr, all wired up once. Owned by one thread; nothing here allocates
/// on the managed heap after construction.
/// </summary>
internal sealed unsafe class DatagramBatch : IDisposable
{
    public const int AddressSize = 32;   // ≥ sizeof(sockaddr_in6) = 28
    private const ushort AfInet = 2;     // Linux address family numbers
    private const ushort AfInet6 = 10;
    private readonly byte* _memory;
    private readonly LinuxSockets.MMsgHdr* _headers;
    private readonly LinuxSockets.IoVec* _iov;
    private readonly byte* _names;
    private readonly byte* _buffers;
    private readonly bool _v6Socket;

    public DatagramBatch(int capacity, int slotSize, AddressFamily socketFamily)
    {
        Capacity = capacity;
        SlotSize = slotSize;
        _v6Socket = socketFamily == AddressFamily.InterNetworkV6;
        var headers = (nuint)(capacity * sizeof(LinuxSockets.MMsgHdr));
        var iov = (nuint)(capacity * sizeof(LinuxSockets.IoVec));
        var names = (nuint)(capacity * AddressSize);
        var total = headers + iov + names + (nuint)(capacity * slotSize);
        _memory = (byte*)NativeMemory.AlignedAlloc(total, 64);
        NativeMemory.Clear(_memory, total);
        _headers = (LinuxSockets.MMsgHdr*)_memory;
        _iov = (LinuxSockets.IoVec*)(_memory + headers);
        _names = _memory + headers + iov;
        _buffers = _names + names;
        for (var i = 0; i < capacity; i++)
        {
            _iov[i].Base = _buffers + (nint)i * slotSize;
            _iov[i].Length = (nuint)slotSize;
            _headers[i].Header.Name = _names + i * AddressSize;
            _headers[i].Header.Iov = _iov + i;
            _headers[i].Header.IovLength = 1;
        }
    }

    public int Capacity { get; }
    public int SlotSize { get; }
    /// <summary>Datagrams queued for sending (send batches only).</summary>
    public int Count { get; private set; }
    public LinuxSockets.MMsgHdr* Headers => _headers;

    /// <summary>Makes every slot ready to receive a full-size datagram and any address.</summary>
    public void PrepareReceive()
    {
        for (var i = 0; i < Capacity; i++)
        {
            _headers[i].Header.NameLength = AddressSize;
            _headers[i].Header.Flags = 0;
            _headers[i].Length = 0;
            _iov[i].Length = (nuint)SlotSize;
        }
    }

    /// <summary>The received datagram of slot <paramref name="i"/>, or empty if it was truncated (larger than a slot).</summary>
    public Span<byte> Received(int i) =>
        (_headers[i].Header.Flags & LinuxSockets.MsgTrunc) != 0 ? Span<byte>.Empty : new Span<byte>(_iov[i].Base, (int)_headers[i].Length);

    /// <summary>The sender of slot <paramref name="i"/> as a tuple; IPv4-mapped IPv6 comes out as IPv4, as everywhere else.</summary>
    public bool TryGetSource(int i, ushort localSocketId, out IceTuple tuple)
    {
        var name = new ReadOnlySpan<byte>(_names + i * AddressSize, (int)Math.Min(_headers[i].Header.NameLength, AddressSize));
        tuple = default;
        if (name.Length < 8) return false;
        var family = MemoryMarshal.Read<ushort>(name);
        var port = BinaryPrimitives.ReadUInt16BigEndian(name[2..]);
        if (family == AfInet) return IceTuple.TryCreate(IceProtocol.Udp, name.Slice(4, 4), port, out tuple, localSocketId);
        if (family != AfInet6 || name.Length < 28) return false;
        var address = name.Slice(8, 16);
        if (BinaryPrimitives.ReadUInt64LittleEndian(address) == 0 && BinaryPrimitives.ReadUInt16LittleEndian(address[8..]) == 0
            && address[10] == 0xFF && address[11] == 0xFF)
            return IceTuple.TryCreate(IceProtocol.Udp, address.Slice(12, 4), port, out tuple, localSocketId);
        return IceTuple.TryCreate(IceProtocol.Udp, address, port, out tuple, localSocketId, MemoryMarshal.Read<uint>(name[24..]));
    }

    /// <summary>Queues a copy of <paramref name="packet"/> for <paramref name="remote"/>; false when full or too long.</summary>
    public bool TryAdd(ReadOnlySpan<byte> packet, in IceTuple remote)
    {
        if (Count == Capacity || packet.Length > SlotSize) return false;
        var i = Count;
        packet.CopyTo(new Span<byte>(_iov[i].Base, SlotSize));
        _iov[i].Length = (nuint)packet.Length;
        var name = new Span<byte>(_names + i * AddressSize, AddressSize);
        var nameLength = WriteAddress(name, remote);
        if (nameLength == 0) return false;
        _headers[i].Header.NameLength = (uint)nameLength;
        _headers[i].Header.Flags = 0;
        _headers[i].Length = 0;
        Count = i + 1;
        return true;
    }

    public void Clear() => Count = 0;

    /// <summary>sockaddr_in for an IPv4 socket; sockaddr_in6 (IPv4 peers as ::ffff:a.b.c.d) for a dual-mode one.</summary>
    private int WriteAddress(Span<byte> name, in IceTuple remote)
    {
        name.Clear();
        Span<byte> address = stackalloc byte[16];
        var length = remote.WriteAddress(address);
        BinaryPrimitives.WriteUInt16BigEndian(name[2..], remote.Port);
        if (!_v6Socket)
        {
            if (length != 4) return 0;
            MemoryMarshal.Write(name, AfInet);
            address[..4].CopyTo(name[4..]);
            return 16;
        }
        MemoryMarshal.Write(name, AfInet6);
        if (length == 4)
        {
            name[18] = 0xFF; name[19] = 0xFF;
            address[..4].CopyTo(name[20..]);
        }
        else address.CopyTo(name[8..]);
        return 28;
    }

    public void Dispose() => NativeMemory.AlignedFree(_memory);
}
