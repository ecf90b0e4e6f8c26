using System.Diagnostics;
using Testing.Services;

namespace Media.Sfu.Node.Tests.Support;

/// <summary>
/// An SFU node as its own process (dotnet Media.Sfu.Node.dll from the test output), configured through the
/// environment variables an operator would use. Killed with the test process.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = new();

    public string Id { get; }
    public Uri Url { get; }
    public HttpClient Http { get; }
    public bool HasExited => _process.HasExited;

    private NodeProcess(Process process, string id, Uri url)
    {
        _process = process;
        Id = id;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Starts a node on a free loopback port; returns once /health answers.</summary>
    public static async Task<NodeProcess> StartAsync(string id, IDictionary<string, string> environment)
    {
        var port = FreePort.Tcp();
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Media.Sfu.Node.dll"));
        psi.Environment["SFU_NODE_ID"] = id;
        psi.Environment["SFU_NODE_HOST"] = "127.0.0.1";
        psi.Environment["SFU_NODE_PORT"] = port.ToString();
        psi.Environment["SFU_UDP_PORT"] = "0";
        psi.Environment["SFU_TCP_PORT"] = "0";
        psi.Environment["LOG_LEVEL"] = "warn";
        psi.Environment.Remove("JWT_SECRET");
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        var node = new NodeProcess(process, id, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (node._output) node._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._output) node._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { if (!process.HasExited) process.Kill(); } catch (Exception) { } };

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"SFU node {id} exited with {process.ExitCode}: {node.Output}");
            try
            {
                if ((await node.Http.GetAsync("/health")).IsSuccessStatusCode) return node;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) { await node.DisposeAsync(); throw new TimeoutException($"SFU node {id} did not start: {node.Output}"); }
            await Task.Delay(100);
        }
    }

    public string Output { get { lock (_output) return string.Join("\n", _output.TakeLast(50)); } }

    /// <summary>SIGKILL: no graceful leave, the node just stops heartbeating.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync();
        _process.Dispose();
    }
}
