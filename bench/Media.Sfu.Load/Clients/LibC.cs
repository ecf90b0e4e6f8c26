using System.Runtime.InteropServices;

namespace Media.Sfu.Load.Clients;

/// <summary>
/// The few Linux calls the load clients need to stay cheap next to the SFU they measure: epoll to wait on
/// hundreds of sockets from one thread, recvmmsg with SO_TIMESTAMPNS so a packet's arrival time is the
/// kernel's (not when this thread got scheduled), and send on connected sockets. LP64 layouts.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc.so.6";
    public const int EpollCtlAdd = 1;
    public const uint EpollIn = 1;
    public const int MsgDontWait = 0x40;
    public const int MsgTrunc = 0x20;
    public const int SolSocket = 1;
    public const int SoTimestampNs = 35;   // also SCM_TIMESTAMPNS
    public const int EIntr = 4;
    public const int EAgain = 11;

    [LibraryImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(Lib, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, int* value, uint length);

    [LibraryImport(Lib, EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>struct epoll_event is packed on x86-64 (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>CLOCK_REALTIME in nanoseconds, the clock SO_TIMESTAMPNS stamps arrivals with.</summary>
    public static long RealtimeNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    public static void EnableTimestamps(int fd)
    {
        var one = 1;
        if (SetSockOpt(fd, SolSocket, SoTimestampNs, &one, sizeof(int)) != 0)
            throw new InvalidOperationException($"setsockopt(SO_TIMESTAMPNS) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
