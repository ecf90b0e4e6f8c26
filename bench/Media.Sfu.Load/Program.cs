using Media.Sfu.Load.Driver;
using Media.Sfu.Load.Host;

// Media.Sfu.Load                  the load run (see ./bench.sh sfu --help): SFU and coturn phases per N, wrtc check, table, chart
// Media.Sfu.Load host [options]   the SFU under test in its own process (started by the load run)
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("sfu load: Linux only (epoll, recvmmsg, /proc)");
    return 2;
}
return args.Length > 0 && args[0] == "host"
    ? await SfuHost.RunAsync(args[1..])
    : await LoadDriver.RunAsync(args);
