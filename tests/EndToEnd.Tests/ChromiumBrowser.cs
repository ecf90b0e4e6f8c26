using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright, with fake camera and microphone and loopback candidates
/// allowed (flags from environment.md). Pages are served on the API's own origin through Playwright
/// routing, so fetch() to /sfu/whip is same-origin and getUserMedia has a secure context (127.0.0.1).
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    private static readonly string PagesDir = Path.Combine(AppContext.BaseDirectory, "Pages");
    private readonly IPlaywright _playwright;
    private readonly string _profile;

    public IBrowserContext Context { get; }

    private ChromiumBrowser(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        Context = context;
        _profile = profile;
    }

    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var profile = Path.Combine(Path.GetTempPath(), "omegle-tests-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(profile);
        var audio = Path.Combine(profile, "fake-audio.wav");
        FakeAudio.Write(audio, TimeSpan.FromSeconds(20));
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = new[]
            {
                "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                // Speech-like noisy audio instead of the default beep, which Opus encodes at ~19 kbps whatever the cap:
                // bitrate caps can only be seen with audio that wants more (it loops).
                "--use-file-for-fake-audio-capture=" + audio,
            },
        });
        return new ChromiumBrowser(playwright, context, profile);
    }

    /// <summary>The official SignalR browser client, as npm installed it (scripts/setup.sh).</summary>
    private static readonly string SignalRScript = Path.Combine(Testing.Services.RepoRoot.Path,
        "tests", "node", "node_modules", "@microsoft", "signalr", "dist", "browser", "signalr.min.js");

    /// <summary>Opens a test page (client.html: WHIP/WHEP; chat.html: a seed 000 /signaling client) on <paramref name="origin"/>.</summary>
    public async Task<IPage> OpenClientAsync(Uri origin, string pageName = "client.html")
    {
        var page = await Context.NewPageAsync();
        await page.RouteAsync(new Uri(origin, "/e2e/**").ToString(), async route =>
        {
            var name = Path.GetFileName(new Uri(route.Request.Url).AbsolutePath);
            var file = name == "signalr.min.js" ? SignalRScript : Path.Combine(PagesDir, name);
            if (!File.Exists(file)) { await route.FulfillAsync(new() { Status = 404 }); return; }
            await route.FulfillAsync(new() { Status = 200, Body = await File.ReadAllTextAsync(file),
                ContentType = name.EndsWith(".js") ? "text/javascript" : "text/html" });
        });
        await page.GotoAsync(new Uri(origin, "/e2e/" + pageName).ToString());
        await page.WaitForFunctionAsync(pageName == "chat.html" ? "() => !!window.chat && !!window.omegle" : "() => !!window.omegle");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
