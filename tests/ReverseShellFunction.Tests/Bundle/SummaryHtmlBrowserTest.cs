using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>
/// summary.html in a real browser: Debian's Chromium, headless, loads the page from 127.0.0.1 and reports what a
/// person sees (headline, the missing-evidence section, the figure with its dots and bars, no horizontal overflow
/// at 1280 px); a screenshot is kept under TestResults/browser. Skipped where Chromium is missing, unless
/// REQUIRE_CHROMIUM=1 (set by .ci/run, which installs it), which turns that into a failure.
/// </summary>
public sealed partial class SummaryHtmlBrowserTest
{
    private const string Chromium = "/usr/bin/chromium";
    private const int ViewportWidth = 1280;

    // The measuring page is the test's own: summary.html has no script and its CSP would refuse one.
    private const string MeasurePage = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0} iframe{border:0;width:1280px;height:3000px;display:block}</style></head>
        <body><iframe id="page" src="/summary.html"></iframe><pre id="result">pending</pre>
        <script>
        document.getElementById('page').addEventListener('load', () => {
          const doc = document.getElementById('page').contentDocument;
          const root = doc.documentElement;
          let right = 0;
          for (const e of doc.querySelectorAll('body *')) { right = Math.max(right, e.getBoundingClientRect().right); }
          const svg = doc.querySelector('#timeline-figure svg');
          const box = svg ? svg.getBoundingClientRect() : null;
          document.getElementById('result').textContent = JSON.stringify({
            viewport: root.clientWidth, scrollWidth: root.scrollWidth, maxRight: right,
            headline: (doc.getElementById('headline') || {}).textContent || null,
            attention: !!doc.getElementById('attention'),
            svgWidth: box ? box.width : 0, svgHeight: box ? box.height : 0,
            dots: doc.querySelectorAll('#timeline-figure circle.related-finding').length,
            bars: doc.querySelectorAll('#timeline-figure rect.log-bar').length,
            audits: doc.querySelectorAll('path.audit-event').length,
            eventLines: doc.querySelectorAll('g.event-line').length,
            drawnDots: [...doc.querySelectorAll('#timeline-figure circle.related-finding')].filter(c => c.getBoundingClientRect().width > 0).length,
            tables: doc.querySelectorAll('table').length,
            scripts: doc.querySelectorAll('script').length
          });
        });
        </script></body></html>
        """;

    private static bool Required => Environment.GetEnvironmentVariable("REQUIRE_CHROMIUM") == "1";

    [SkippableFact]
    public async Task SampleSummaryHtml_InChromium_ShowsHeadlineAndFigure_NoOverflowAt1280()
    {
        Skip.If(!File.Exists(Chromium) && !Required, $"{Chromium} is not installed (apt-get install chromium)");
        Assert.True(File.Exists(Chromium), $"{Chromium} is required (REQUIRE_CHROMIUM=1) but not installed");
        await using var harness = await PipelineHarness.StartAsync();
        var result = await harness.ReplaySampleAsync();
        var html = (await harness.ReadBundleAsync(result.BundleId!))[SummaryHtml.FileName];

        var seen = await MeasureAsync(html, "sample");

        Assert.StartsWith("CRITICAL Reverse Shell on service checkout-api", seen.GetProperty("headline").GetString(), StringComparison.Ordinal);
        Assert.True(seen.GetProperty("attention").GetBoolean());
        Assert.Equal(24, seen.GetProperty("dots").GetInt32());
        Assert.Equal(24, seen.GetProperty("drawnDots").GetInt32());
        Assert.True(seen.GetProperty("bars").GetInt32() >= 25, "container-log bars");
        Assert.Equal(4, seen.GetProperty("audits").GetInt32());
        Assert.True(seen.GetProperty("eventLines").GetInt32() >= 1);
        Assert.InRange(seen.GetProperty("svgWidth").GetDouble(), 900, ViewportWidth);
        Assert.True(seen.GetProperty("svgHeight").GetDouble() > 150);
        Assert.Equal(0, seen.GetProperty("scripts").GetInt32());
        AssertNoOverflow(seen);
    }

    [SkippableFact]
    public async Task HostileLongUnbrokenText_WrapsInsideThePage_NoOverflowAt1280()
    {
        Skip.If(!File.Exists(Chromium) && !Required, $"{Chromium} is not installed (apt-get install chromium)");
        Assert.True(File.Exists(Chromium), $"{Chromium} is required (REQUIRE_CHROMIUM=1) but not installed");
        await using var harness = await PipelineHarness.StartAsync();
        var result = await harness.ReplaySampleAsync();
        var summary = result.IndexEntry!.Summary;
        var longPath = "/tmp/" + new string('A', 600) + "\u202e";
        summary = summary with
        {
            Processes = [summary.Processes[0] with { BinaryPath = longPath, Args = ["sh", "-c", new string('x', 900)] }],
        };
        summary = summary with { Headline = SummaryBuilder.Headline(summary) };
        var html = Encoding.UTF8.GetBytes(SummaryHtml.Render(summary, [], EvidenceTimeline.Empty(summary.Finding.EventTime)));

        var seen = await MeasureAsync(html, "hostile-long-text");

        Assert.Contains("\\u202e", seen.GetProperty("headline").GetString(), StringComparison.Ordinal);
        AssertNoOverflow(seen);
    }

    private static void AssertNoOverflow(JsonElement seen)
    {
        var viewport = seen.GetProperty("viewport").GetDouble();
        Assert.Equal(ViewportWidth, viewport);
        Assert.True(seen.GetProperty("scrollWidth").GetDouble() <= viewport, $"page scrolls sideways: {seen}");
        Assert.True(seen.GetProperty("maxRight").GetDouble() <= viewport, $"an element ends right of the viewport: {seen}");
    }

    /// <summary>Serves the page and the measuring page on 127.0.0.1, asks Chromium for the measured DOM and a screenshot.</summary>
    private static async Task<JsonElement> MeasureAsync(byte[] summaryHtml, string name)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Test" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/summary.html", () => Results.Bytes(summaryHtml, "text/html; charset=utf-8"));
        app.MapGet("/measure.html", () => Results.Text(MeasurePage, "text/html; charset=utf-8"));
        await app.StartAsync();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var dom = await RunChromiumAsync("--dump-dom", "--virtual-time-budget=10000", "--window-size=1400,3100", $"{root}/measure.html");
        var match = ResultPattern().Match(dom);
        Assert.True(match.Success, $"no measurement in the DOM Chromium printed: {dom[..Math.Min(dom.Length, 2000)]}");
        var json = WebUtility.HtmlDecode(match.Groups[1].Value);
        Assert.NotEqual("pending", json);

        var shot = Path.Combine(ArtifactFolder(), $"summary-{name}-{ViewportWidth}.png");
        File.Delete(shot);
        await RunChromiumAsync($"--screenshot={shot}", $"--window-size={ViewportWidth},2200", "--hide-scrollbars", $"{root}/summary.html");
        var png = await File.ReadAllBytesAsync(shot);
        Assert.True(png.Length > 20_000, $"screenshot {shot} is only {png.Length} bytes");
        Assert.Equal(ViewportWidth, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4))); // IHDR width

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static async Task<string> RunChromiumAsync(params string[] arguments)
    {
        using var profile = new TempFolder();
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The machine's network is closed: without the background-networking flags Chromium keeps dialling out.
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.Path}",
        }.Concat(arguments))
        {
            start.ArgumentList.Add(flag);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish in 90 s: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>TestResults/browser at the repository root, kept after the run.</summary>
    private static string ArtifactFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ReverseShellFunction.sln")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "browser");
        Directory.CreateDirectory(folder);
        return folder;
    }

    [GeneratedRegex("<pre id=\"result\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex ResultPattern();
}
