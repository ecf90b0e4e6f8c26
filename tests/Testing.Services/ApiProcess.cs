using System.Diagnostics;

namespace Testing.Services;

/// <summary>
/// The control plane as its own process (dotnet ControlPlane.Api.dll from the test output), configured through the
/// environment variables an operator would use. For multi-node tests and for measuring the API's memory alone.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = new();

    public Uri BaseAddress { get; }
    public int ProcessId => _process.Id;
    public HttpClient Client { get; }

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Starts the API on a free loopback port; returns once /health answers.</summary>
    public static async Task<ApiProcess> StartAsync(IDictionary<string, string> environment, string? assemblyPath = null)
    {
        assemblyPath ??= Path.Combine(AppContext.BaseDirectory, "ControlPlane.Api.dll");
        var port = FreePort.Tcp();
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(assemblyPath);
        psi.Environment["HOST"] = "127.0.0.1";
        psi.Environment["PORT"] = port.ToString();
        psi.Environment["JWT_SECRET"] = ApiHost.JwtSecret;
        psi.Environment["SFU_ENABLED"] = "false";
        psi.Environment["LOG_LEVEL"] = "warn";
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (api._output) api._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (api._output) api._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { if (!process.HasExited) process.Kill(); } catch (Exception) { } };

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The API exited with {process.ExitCode}: {api.Output}");
            try
            {
                if ((await api.Client.GetAsync("/health")).IsSuccessStatusCode) return api;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) { await api.DisposeAsync(); throw new TimeoutException("The API did not start: " + api.Output); }
            await Task.Delay(200);
        }
    }

    public string Output { get { lock (_output) return string.Join("\n", _output.TakeLast(50)); } }

    public async Task<TokenResponse> SignInAsync(Guid? deviceId = null)
    {
        var id = deviceId ?? Guid.NewGuid();
        var res = await Client.PostAsync("/auth/token", new StringContent($"{{\"deviceId\":\"{id}\"}}", System.Text.Encoding.UTF8, "application/json"));
        res.EnsureSuccessStatusCode();
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<TokenResponse>(res.Content))! with { DeviceId = id };
    }

    /// <summary>Peak resident set size (VmHWM) of the process, in bytes.</summary>
    public long PeakRssBytes() => ReadStatusKb("VmHWM:") * 1024;

    public long RssBytes() => ReadStatusKb("VmRSS:") * 1024;

    private long ReadStatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
