using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Report;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Bundle;

/// <summary>
/// summary.html in a real browser: Debian's Chromium, headless, loads the page from 127.0.0.1 into a frame of the
/// width under test and reports what a person sees, at 390 px (a phone), at 1280 px and printed (the page's own
/// print rules forced on a copy, in a frame as wide as an A4 page's printable area at Chromium's default margins;
/// the real print goes to a PDF beside the screenshots). Checked: no element ends outside the viewport except inside
/// the figure's sideways-scrolling box, no word and no hash has its letters on two lines, labels stand above values
/// on the phone, the figure keeps its full size there. Screenshots and the PDF are kept under TestResults/browser.
/// Skipped where Chromium is missing, unless REQUIRE_CHROMIUM=1 (set by .ci/run, which installs it): then a failure.
/// One browser and one replay of the sample serve the whole class (<see cref="BrowserFixture"/>); each view gets its own tab.
/// </summary>
public sealed class SummaryHtmlBrowserTest(SummaryHtmlBrowserTest.BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<SummaryHtmlBrowserTest.BrowserFixture>
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>A4 is 793.7 CSS px wide; Chromium's default print margins are 0.4 in (38.4 px) each side.</summary>
    private const int PrintWidth = 717;

    // The measuring page is the test's own: summary.html has no script and its CSP would refuse one. The frame is
    // made as tall as its page before measuring, so no vertical scrollbar narrows the viewport under test.
    private const string MeasurePage = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0} iframe{border:0;height:4000px;display:block}</style></head>
        <body><iframe id="page"></iframe><pre id="result">pending</pre>
        <script>
        const params = new URLSearchParams(location.search);
        const frame = document.getElementById('page');
        frame.style.width = params.get('w') + 'px';
        let sized = false;
        frame.addEventListener('load', () => {
          if (!sized) { sized = true; frame.style.height = (frame.contentDocument.documentElement.scrollHeight + 200) + 'px'; setTimeout(measure, 100); }
        });
        frame.src = params.get('src');
        function describe(e, r) { return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && e.className.baseVal === undefined && e.className ? '.' + e.className : ''} [${Math.round(r.left)}, ${Math.round(r.right)}] "${(e.textContent || '').trim().slice(0, 40)}"`; }
        // Text for screen readers only (the phone's table headers, clipped to 1 px) is not seen, so not measured.
        function hidden(e) { for (; e && e.tagName !== 'BODY'; e = e.parentElement) { if (e.getBoundingClientRect().width <= 1) return true; } return false; }
        function measure() {
          const doc = frame.contentDocument;
          const root = doc.documentElement;
          const viewport = root.clientWidth;
          const outside = [];
          for (const e of doc.querySelectorAll('body *')) {
            if (e.parentElement && e.parentElement.closest('.figure-scroll, .hash')) continue;
            const r = e.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            if (r.right > viewport + 0.5 || r.left < -0.5) outside.push(describe(e, r));
          }
          const severity = params.get('severity');
          const tokens = /(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{16,128}|[A-Za-z]{2,40})(?![0-9A-Za-z])/g;
          const broken = [];
          let words = 0, hashes = 0, severities = 0;
          const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest('svg') || hidden(n.parentElement)) continue;
            for (const m of n.data.matchAll(tokens)) {
              const range = doc.createRange();
              range.setStart(n, m.index);
              range.setEnd(n, m.index + m[0].length);
              const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
              if (/^[0-9A-Fa-f]+$/.test(m[0]) && m[0].length >= 16) hashes++; else words++;
              if (m[0] === severity) severities++;
              if (lines.size > 1) broken.push(`${m[0]} (${lines.size} lines, in ${describe(n.parentElement, n.parentElement.getBoundingClientRect())})`);
            }
          }
          const pairs = [...doc.querySelectorAll('dd')].map(dd => [dd.previousElementSibling.getBoundingClientRect(), dd.getBoundingClientRect()]);
          const svg = doc.querySelector('#timeline-figure svg');
          const box = svg ? svg.getBoundingClientRect() : null;
          const scroller = doc.querySelector('#timeline-figure .figure-scroll');
          const marks = sel => [...doc.querySelectorAll(sel)].map(g => ({ count: +g.dataset.count, label: (g.querySelector('text.mark-count') || {}).textContent || '' }));
          document.getElementById('result').textContent = JSON.stringify({
            viewport, scrollWidth: root.scrollWidth, height: root.scrollHeight, outside, broken, words, hashes, severities,
            labelsAbove: pairs.length > 0 && pairs.every(([dt, dd]) => dt.bottom <= dd.top + 1),
            labelsBeside: pairs.length > 0 && pairs.every(([dt, dd]) => dt.right <= dd.left + 1),
            headline: (doc.getElementById('headline') || {}).textContent || null,
            attention: !!doc.getElementById('attention'),
            custody: (doc.getElementById('custody') || {}).textContent || null,
            svgWidth: box ? box.width : 0, svgHeight: box ? box.height : 0,
            figureScrolls: scroller ? scroller.scrollWidth > scroller.clientWidth + 1 : false,
            figureBoxWidth: scroller ? scroller.getBoundingClientRect().width : 0,
            related: marks('#timeline-figure g.lane.related g.mark'),
            audits: marks('#timeline-figure g.audit g.mark'),
            history: marks('#history-figure g.audit g.mark'),
            bars: doc.querySelectorAll('#timeline-figure rect.log-bar').length,
            eventLines: doc.querySelectorAll('g.event-line').length,
            drawnDots: [...doc.querySelectorAll('#timeline-figure circle.related-finding')].filter(c => c.getBoundingClientRect().width > 0).length,
            scripts: doc.querySelectorAll('script').length
          });
        }
        </script></body></html>
        """;

    private static bool Required => Environment.GetEnvironmentVariable("REQUIRE_CHROMIUM") == "1";

    [SkippableTheory]
    [InlineData("390")]
    [InlineData("1280")]
    [InlineData("print")]
    public async Task SampleSummaryHtml_InChromium_FitsTheViewport_BreaksNoWordOrHash(string view)
    {
        SkipUnlessChromium();
        var (result, html) = await fixture.SampleAsync();

        var seen = await MeasureAsync(html, "sample", view, "CRITICAL");

        Assert.StartsWith("CRITICAL Reverse Shell on service checkout-api", seen.GetProperty("headline").GetString(), StringComparison.Ordinal);
        Assert.True(seen.GetProperty("attention").GetBoolean());
        AssertFits(seen, view);

        // The headline, the finding's facts and the state line at least; the binaries' SHA-256, the image digest,
        // the finding id inside the bundle id, and the notification's.
        Assert.True(seen.GetProperty("severities").GetInt32() >= 2, $"CRITICAL seen {seen.GetProperty("severities")} times");
        Assert.True(seen.GetProperty("hashes").GetInt32() >= 5, $"only {seen.GetProperty("hashes")} hashes checked");
        Assert.True(seen.GetProperty("words").GetInt32() > 300, $"only {seen.GetProperty("words")} words checked");

        // Every related finding and audit entry is drawn, and a mark that stands for several says how many.
        var related = Marks(seen, "related");
        Assert.Equal(24, related.Sum(m => m.Count));
        Assert.Equal(related.Count, seen.GetProperty("drawnDots").GetInt32());
        Assert.True(seen.GetProperty("bars").GetInt32() >= 25, "container-log bars");
        Assert.True(seen.GetProperty("eventLines").GetInt32() >= 1);
        foreach (var mark in related.Concat(Marks(seen, "audits")).Concat(Marks(seen, "history")))
        {
            Assert.Equal(mark.Count > 1 ? $"×{mark.Count}" : "", mark.Label);
        }

        Assert.True(Marks(seen, "history").Sum(m => m.Count) >= 1, "the audit strip draws the sample's audit entry");

        var custody = seen.GetProperty("custody").GetString();
        Assert.NotNull(custody);
        Assert.Contains("This part's SHA-256", custody, StringComparison.Ordinal);
        Assert.Contains("rsf verify " + result.BundleId, custody, StringComparison.Ordinal);
        Assert.Equal(0, seen.GetProperty("scripts").GetInt32());
        Assert.True(seen.GetProperty("svgHeight").GetDouble() > 150);

        switch (view)
        {
            case "390":
                // Labels above values; the figure at its full 1000 px (12 px text), scrolling inside a box that fits.
                Assert.True(seen.GetProperty("labelsAbove").GetBoolean(), "on a phone every label stands above its value");
                Assert.InRange(seen.GetProperty("svgWidth").GetDouble(), 1000, 1001);
                Assert.True(seen.GetProperty("figureScrolls").GetBoolean(), "the figure scrolls sideways");
                Assert.True(seen.GetProperty("figureBoxWidth").GetDouble() <= 390);
                break;
            case "1280":
                Assert.True(seen.GetProperty("labelsBeside").GetBoolean(), "at 1280 px labels stand beside values");
                Assert.InRange(seen.GetProperty("svgWidth").GetDouble(), 1000, 1280);
                Assert.False(seen.GetProperty("figureScrolls").GetBoolean(), "at 1280 px the figure fits");
                break;
            default:
                // On paper nothing scrolls: the figure is scaled into the page.
                Assert.False(seen.GetProperty("figureScrolls").GetBoolean(), "a printed figure cannot scroll");
                Assert.InRange(seen.GetProperty("svgWidth").GetDouble(), 600, PrintWidth);
                break;
        }
    }

    [SkippableTheory]
    [InlineData("390")]
    [InlineData("1280")]
    public async Task HostileLongUnbrokenText_WrapsInsideThePage(string view)
    {
        SkipUnlessChromium();
        var (result, _) = await fixture.SampleAsync();
        var summary = result.IndexEntry!.Summary;
        var longPath = "/tmp/" + new string('A', 600) + "\u202e";
        summary = summary with
        {
            Processes = [summary.Processes[0] with { BinaryPath = longPath, Args = ["sh", "-c", new string('x', 900)], BinarySha256 = new string('f', 300) }],
        };
        summary = summary with { Headline = SummaryHeadline.Of(summary) };
        var html = Encoding.UTF8.GetBytes(SummaryHtml.Render(summary, [], new EvidenceTimeline { EventTime = summary.Finding.EventTime }, PartCustody.Unsealed(1)));

        var seen = await MeasureAsync(html, "hostile-long-text", view, "CRITICAL");

        Assert.Contains("\\u202e", seen.GetProperty("headline").GetString(), StringComparison.Ordinal);
        AssertFits(seen, view);
    }

    private void SkipUnlessChromium()
    {
        Skip.If(!File.Exists(Chromium) && !Required, $"{Chromium} is not installed (apt-get install chromium)");
        Assert.True(File.Exists(Chromium), $"{Chromium} is required (REQUIRE_CHROMIUM=1) but not installed");
        output.WriteLine($"screenshots and PDFs: {ArtifactFolder()}");
    }

    private static void AssertFits(JsonElement seen, string view)
    {
        var viewport = seen.GetProperty("viewport").GetDouble();
        Assert.Equal(view == "print" ? PrintWidth : int.Parse(view, System.Globalization.CultureInfo.InvariantCulture), viewport);
        Assert.True(seen.GetProperty("scrollWidth").GetDouble() <= viewport, $"page scrolls sideways: {seen}");
        Assert.Empty(seen.GetProperty("outside").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(seen.GetProperty("broken").EnumerateArray().Select(e => e.GetString()));
    }

    private static List<(int Count, string Label)> Marks(JsonElement seen, string lane) =>
        [.. seen.GetProperty(lane).EnumerateArray().Select(m => (m.GetProperty("count").GetInt32(), m.GetProperty("label").GetString() ?? ""))];

    /// <summary>
    /// Serves the page (and, for "print", a copy whose print rules apply on screen) with the measuring page on
    /// 127.0.0.1, asks Chromium for the measured DOM, then keeps a screenshot at that width (and for print a PDF).
    /// </summary>
    private async Task<JsonElement> MeasureAsync(byte[] summaryHtml, string name, string view, string severity)
    {
        var print = view == "print";
        var width = print ? PrintWidth : int.Parse(view, System.Globalization.CultureInfo.InvariantCulture);
        var text = Encoding.UTF8.GetString(summaryHtml);
        Assert.Contains("@media print", text, StringComparison.Ordinal);
        var printed = Encoding.UTF8.GetBytes(text.Replace("@media print", "@media all", StringComparison.Ordinal));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Test" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/summary.html", () => Results.Bytes(summaryHtml, "text/html; charset=utf-8"));
        app.MapGet("/printed.html", () => Results.Bytes(printed, "text/html; charset=utf-8"));
        app.MapGet("/measure.html", () => Results.Text(MeasurePage, "text/html; charset=utf-8"));
        await app.StartAsync();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var page = print ? "/printed.html" : "/summary.html";

        var browser = await fixture.BrowserAsync();
        string json;
        await using (var measuring = await browser.OpenTabAsync(width + 100, 3000))
        {
            await measuring.NavigateAsync($"{root}/measure.html?w={width}&src={page}&severity={severity}");
            const string Result = "document.getElementById('result').textContent";
            await measuring.WaitForAsync($"{Result} !== 'pending'", "true");
            json = await measuring.EvaluateAsync(Result);
        }

        Assert.NotEqual("pending", json);
        using var document = JsonDocument.Parse(json);
        var seen = document.RootElement.Clone();
        output.WriteLine($"{name} at {view}: {json}");

        var shot = Path.Combine(ArtifactFolder(), $"summary-{name}-{view}.png");
        File.Delete(shot);
        var height = Math.Clamp(seen.GetProperty("height").GetInt32(), 800, 16000);
        await using (var shown = await browser.OpenTabAsync(width, height))
        {
            await shown.NavigateAsync($"{root}{page}");
            await File.WriteAllBytesAsync(shot, await shown.ScreenshotAsync());
        }

        var png = await File.ReadAllBytesAsync(shot);
        Assert.True(png.Length > 20_000, $"screenshot {shot} is only {png.Length} bytes");
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4))); // IHDR width
        output.WriteLine($"screenshot: {shot}");
        if (print)
        {
            var pdf = Path.Combine(ArtifactFolder(), $"summary-{name}.pdf");
            File.Delete(pdf);
            await using (var printing = await browser.OpenTabAsync(width, height))
            {
                await printing.NavigateAsync($"{root}/summary.html");
                await File.WriteAllBytesAsync(pdf, await printing.PrintToPdfAsync());
            }

            var bytes = await File.ReadAllBytesAsync(pdf);
            Assert.True(bytes.Length > 20_000 && bytes.AsSpan(0, 5).SequenceEqual("%PDF-"u8), $"{pdf} is not a printed page ({bytes.Length} bytes)");
            output.WriteLine($"printed: {pdf}");
        }

        return seen;
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

    /// <summary>
    /// The browser, started at first use (not where Chromium is missing: those tests skip), and the sample's bundle,
    /// replayed once through the pipeline: the tests only read it.
    /// </summary>
    public sealed class BrowserFixture : IAsyncLifetime
    {
        private readonly Lazy<Task<HeadlessChromium>> _browser = new(() => HeadlessChromium.StartAsync(Chromium));
        private readonly Lazy<Task<(PipelineResult Result, byte[] Html)>> _sample = new(ReplaySampleAsync);

        internal Task<HeadlessChromium> BrowserAsync() => _browser.Value;

        public Task<(PipelineResult Result, byte[] Html)> SampleAsync() => _sample.Value;

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            if (_browser.IsValueCreated)
            {
                await (await _browser.Value).DisposeAsync();
            }
        }

        private static async Task<(PipelineResult Result, byte[] Html)> ReplaySampleAsync()
        {
            await using var harness = await PipelineHarness.StartAsync();
            var result = await harness.ReplaySampleAsync();
            return (result, (await harness.ReadBundleAsync(result.BundleId!))[BundleLayout.Entries.SummaryHtml]);
        }
    }
}
