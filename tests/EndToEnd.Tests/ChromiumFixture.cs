namespace EndToEnd.Tests;

/// <summary>One Chromium for all browser tests; they run one after another (two cores, real media).</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public ChromiumBrowser Browser { get; private set; } = null!;
    public async Task InitializeAsync() => Browser = await ChromiumBrowser.LaunchAsync();
    public async Task DisposeAsync() => await Browser.DisposeAsync();
}

[CollectionDefinition("Chromium")]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumFixture>;
