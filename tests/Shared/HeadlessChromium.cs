using PuppeteerSharp;

namespace AiLbAutoscaler.Tests.Shared;

/// <summary>
/// The real browser of the page tests: Debian's chromium (installed by tests/setup.sh), driven headless over the DevTools
/// protocol by PuppeteerSharp. Pointed at the installed binary, so nothing ever downloads a browser; a fresh profile per
/// launch, and no network but what the page asks for (it asks for nothing: the pages are self-contained).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Binary = "/usr/bin/chromium";

    private readonly string _profile;

    private HeadlessChromium(IBrowser browser, string profile)
    {
        Browser = browser;
        _profile = profile;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: run `bash tests/setup.sh`, which installs Debian's chromium.");
        var profile = Directory.CreateTempSubdirectory("ailb-chromium-").FullName;
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Binary,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            ],
        });
        return new HeadlessChromium(browser, profile);
    }

    /// <summary>Where screenshots go: beside the test assembly, so a CI run can keep them.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        await Browser.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still hold a lock file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
