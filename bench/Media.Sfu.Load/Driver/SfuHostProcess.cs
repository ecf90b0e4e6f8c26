using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Media.Sfu.Load.Host;

namespace Media.Sfu.Load.Driver;

/// <summary>The SFU host started as a child process (<c>Media.Sfu.Load host …</c>) and its control API.</summary>
public sealed class SfuHostProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process _process;
    private readonly HttpClient _http;

    private SfuHostProcess(Process process, Uri address, int pid, string? unixSocket)
    {
        _process = process;
        Pid = pid;
        Address = address;
        if (unixSocket is null)
            _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        else
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(unixSocket), ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            };
            _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromSeconds(30) };
        }
    }

    public int Pid { get; }
    /// <summary>The API's loopback address as seen inside the host's network namespace.</summary>
    public Uri Address { get; }

    /// <param name="netns">Run the host inside this network namespace (ip netns exec); the API is then reached via a Unix socket.</param>
    public static async Task<SfuHostProcess> StartAsync(IEnumerable<string> hostArgs, string? netns = null)
    {
        // setsid: the host gets a session (and so a scheduler autogroup) of its own, as coturn does via local-services.sh,
        // so neither server shares its CPU share with the load clients.
        var psi = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false,
        };
        string? unixSocket = null;
        if (netns is null) psi.ArgumentList.Add(Environment.ProcessPath!);
        else
        {
            foreach (var a in new[] { "ip", "netns", "exec", netns, Environment.ProcessPath! }) psi.ArgumentList.Add(a);
            unixSocket = Path.Combine(Path.GetTempPath(), $"omegle-sfu-host-{Environment.ProcessId}-{netns}.sock");
            File.Delete(unixSocket);
        }
        psi.ArgumentList.Add(typeof(SfuHost).Assembly.Location);
        psi.ArgumentList.Add("host");
        foreach (var a in hostArgs) psi.ArgumentList.Add(a);
        if (unixSocket is not null) { psi.ArgumentList.Add("--unix"); psi.ArgumentList.Add(unixSocket); }
        psi.Environment["DOTNET_TieredPGO"] = "1";
        var process = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("the SFU host exited before it was ready");
            if (!line.StartsWith(SfuHost.ReadyLine, StringComparison.Ordinal)) { Console.WriteLine("  host: " + line); continue; }
            var parts = line.Split(' ');
            var pid = int.Parse(parts[2]["pid=".Length..]);
            // Keep draining the host's output so it never blocks on a full pipe.
            _ = Task.Run(async () => { while (await process.StandardOutput.ReadLineAsync() is { } l) Console.WriteLine("  host: " + l); });
            if (ProcStat.Nice() < 0) ProcStat.SetAutogroupNice(pid, ProcStat.Nice());
            return new SfuHostProcess(process, new Uri(parts[1]), pid, unixSocket);
        }
    }

    public async Task OpenRoomAsync(string roomId, params string[] users)
    {
        using var res = await _http.PostAsync($"/rooms/{roomId}?users={string.Join(",", users)}", null);
        if (!res.IsSuccessStatusCode) throw new HttpRequestException($"open room {roomId}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
    }

    public async Task<string> CreateSessionAsync(string roomId, string user, string offer)
    {
        using var res = await _http.PostAsync($"/rooms/{roomId}/sessions?user={user}", new StringContent(offer, Encoding.UTF8, "application/sdp"));
        var body = await res.Content.ReadAsStringAsync();
        if (res.StatusCode != HttpStatusCode.Created) throw new HttpRequestException($"session {roomId}/{user}: {(int)res.StatusCode} {body}");
        return body;
    }

    public async Task<HostFigures> StatsAsync() => (await _http.GetFromJsonAsync<HostFigures>("/stats", Json))!;

    public async ValueTask DisposeAsync()
    {
        try { using var _ = await _http.PostAsync("/quit", null); } catch (HttpRequestException) { } catch (TaskCanceledException) { }
        try { _process.StandardInput.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _http.Dispose();
    }
}
