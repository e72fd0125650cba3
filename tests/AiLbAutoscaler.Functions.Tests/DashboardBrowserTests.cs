using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// <c>GET /api/dashboard</c> end to end under <see cref="TimeProvider.System"/>: the app's container behind a real Kestrel
/// on loopback, opened in a real headless chromium. Kestrel here is a stand-in for the Functions host's HTTP front end: it
/// proxies the route to the function as the host does, but checks no function key (the host does that, never the worker).
/// </summary>
[Trait("Area", "Browser")]
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task The_dashboard_shows_the_stacks_sizes_and_chart_and_a_script_reason_as_text_in_a_real_browser()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(TestApp.DefaultSettings());
        builder.Services.AddAutoscalerAdapters(builder.Configuration);
        builder.Services.AddAutoscalerCore(builder.Configuration);
        builder.Services.AddAutoscalerFunctions(builder.Configuration);
        builder.Services.AddAutoscalerOpenTelemetry(builder.Configuration);
        await using var web = builder.Build();
        web.MapGet("/api/dashboard", async (HttpContext context) =>
        {
            var result = await context.RequestServices.GetRequiredService<DashboardFunctions>().DashboardAsync(context.Request, context.RequestAborted);
            await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        });
        await web.StartAsync();

        // A few real ticks: inference heats up twice, batch is pinned by hand with markup in the reason.
        var controller = web.Services.GetRequiredService<AutoscaleController>();
        var metrics = (InMemoryMetricsSource)web.Services.GetRequiredKeyedService<IMetricsSource>(AiLbAutoscaler.Core.Routing.AdapterNames.InMemory);
        var actuator = (InMemoryFleetActuator)web.Services.GetRequiredKeyedService<IFleetActuator>(AiLbAutoscaler.Core.Routing.AdapterNames.InMemory);
        actuator.SetSize("inference", 2);
        foreach (var gpu in new[] { 0.9, 0.8 })
        {
            metrics.Set("inference", SignalReading.Of(SignalNames.GpuUtilization, gpu, TimeProvider.System.GetUtcNow()));
            await controller.TickAsync("inference", DecisionTrigger.Timer, default);
            await Task.Delay(20);
        }

        await controller.RescaleAsync("batch", new RescaleRequest(5, DashboardFunctionTests.ScriptReason, TimeSpan.FromMinutes(30)), DecisionTrigger.Http, default);
        var inference = await actuator.GetCurrentSizeAsync("inference", default);
        Assert.True(inference > 2, "inference scaled up");

        await using var chromium = await HeadlessChromium.LaunchAsync();
        await using var page = await chromium.Browser.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, e) =>
        {
            dialogs++;
            await e.Dialog.Dismiss();
        };
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 1600 });
        var response = await page.GoToAsync($"http://127.0.0.1:{port}/api/dashboard");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.Status);
        Assert.Equal(["batch", "inference"], await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('section.stack')].map(s => s.dataset.stack)"));
        Assert.Equal(["batch", "inference"], await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('section.stack h2')].map(h => h.textContent)"));
        Assert.Equal("5", await Field(page, "batch", "current"));
        Assert.Equal("5", await Field(page, "batch", "desired"));
        Assert.Equal(inference.ToString(System.Globalization.CultureInfo.InvariantCulture), await Field(page, "inference", "current"));
        Assert.Equal(inference.ToString(System.Globalization.CultureInfo.InvariantCulture), await Field(page, "inference", "desired"));
        Assert.Equal("none", await Field(page, "inference", "override"));
        Assert.StartsWith("5 until ", await Field(page, "batch", "override"), StringComparison.Ordinal);

        // One chart per stack, one path per series; inference's size and winning-signal lines are drawn.
        foreach (var stack in new[] { "batch", "inference" })
        {
            Assert.Equal(["current", "desired", "winning-signal"], await page.EvaluateExpressionAsync<string[]>(
                $"[...document.querySelectorAll('section[data-stack=\"{stack}\"] svg.chart path.series')].map(p => p.dataset.series)"));
        }

        Assert.Equal(new[] { true, true, true }, await page.EvaluateExpressionAsync<bool[]>(
            "[...document.querySelectorAll('section[data-stack=\"inference\"] svg.chart path.series')].map(p => (p.getAttribute('d') || '').startsWith('M'))"));
        Assert.Equal(2, await page.EvaluateExpressionAsync<int>(
            "document.querySelectorAll('section[data-stack=\"inference\"] table.decisions tbody tr').length"));

        // The reason is on the page as text, in the override and the decision; nothing of it ran.
        var batchText = await page.EvaluateExpressionAsync<string>("document.querySelector('section[data-stack=\"batch\"]').innerText");
        Assert.Contains(DashboardFunctionTests.ScriptReason, batchText, StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('script').length"));
        Assert.True(await page.EvaluateExpressionAsync<bool>("typeof window.__pwned === 'undefined'"));
        Assert.Equal(0, dialogs);

        await page.ScreenshotAsync(HeadlessChromium.ScreenshotPath("dashboard.png"), new ScreenshotOptions { FullPage = true });
        await web.StopAsync();
    }

    private static Task<string> Field(IPage page, string stack, string field) =>
        page.EvaluateExpressionAsync<string>($"document.querySelector('section[data-stack=\"{stack}\"] dd[data-field=\"{field}\"]').textContent");
}
