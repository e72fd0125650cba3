using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Reporting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>The status page's HTML as the route writes it (the browser tests look at it rendered).</summary>
[Trait("Area", "Functions")]
public sealed class DashboardFunctionTests
{
    internal const string ScriptReason = "<script>window.__pwned = 1; alert('x')</script> & co";

    [Fact]
    public async Task The_dashboard_is_one_self_contained_page_over_every_stack_with_markup_in_a_reason_escaped()
    {
        await using var app = await TestApp.StartAsync();
        var controller = app.Get<AutoscaleController>();
        app.Actuator.SetSize("batch", 2);
        app.Metrics.Set("batch", SignalReading.Of(SignalNames.GpuUtilization, 0.9, app.Time.GetUtcNow()));
        await controller.TickAsync("batch", DecisionTrigger.Timer, default);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await controller.RescaleAsync("inference", new RescaleRequest(4, ScriptReason, TimeSpan.FromMinutes(30)), DecisionTrigger.Http, default);

        var (status, headers, html) = await GetAsync(app);

        Assert.Equal(200, status);
        Assert.Equal("text/html; charset=utf-8", headers["Content-Type"]);
        Assert.Equal(HtmlPage.ContentSecurityPolicy, headers["Content-Security-Policy"]);
        Assert.StartsWith("default-src 'none'", HtmlPage.ContentSecurityPolicy, StringComparison.Ordinal); // so no script-src: none runs
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.Contains("data-stack=\"batch\"", html, StringComparison.Ordinal);
        Assert.Contains("data-stack=\"inference\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;window.__pwned = 1; alert(&#39;x&#39;)&lt;/script&gt; &amp; co", html, StringComparison.Ordinal);
        Assert.Contains("<dd data-field=\"current\">4</dd>", html, StringComparison.Ordinal);
        var batch = await app.Actuator.GetCurrentSizeAsync("batch", default);
        Assert.True(batch > 2, "GPU at twice its target scales batch up");
        Assert.Contains($"<dd data-field=\"current\">{batch}</dd>", html, StringComparison.Ordinal);
        Assert.Contains($"<dd data-field=\"desired\">{batch}</dd>", html, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(html, "<svg class=\"chart\""));
        Assert.Equal(6, CountOf(html, "<path class=\"series\""));
    }

    [Fact]
    public void Active_schedules_and_next_starts_are_listed_as_text()
    {
        var start = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var status = new StackStatus("inference", 2, null, null, null, null, null, null, [],
        [
            new ScheduleView("<b>launch</b>", null, 40, "0 9 * * *", "Europe/Berlin", false, true, start, start.AddDays(1)),
            new ScheduleView("weekend", null, 5, "0 8 * * 6", "UTC", true, false, null, null),
        ]);

        var html = StatusPage.Render([new StackDashboard(new ScalingPolicy(), status, [])], TestApp.Start, TimeSpan.FromHours(6));

        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("<dd data-field=\"schedules\">&lt;b&gt;launch&lt;/b&gt;: floor 40, active since 2026-12-02 08:00 UTC, next start 2026-12-03 08:00 UTC; weekend: floor 5, disabled</dd>",
            html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stack_name_with_markup_is_printed_as_text()
    {
        const string name = "<script>alert(1)</script>\"'";
        var status = new StackStatus(name, 2, null, null, null, null, null, null, [], []);

        var html = StatusPage.Render([new StackDashboard(new ScalingPolicy(), status, [])], TestApp.Start, TimeSpan.FromHours(6));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("data-stack=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;\"", html, StringComparison.Ordinal);
        Assert.Contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;</h2>", html, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static async Task<(int Status, Microsoft.AspNetCore.Http.IHeaderDictionary Headers, string Html)> GetAsync(TestApp app)
    {
        var request = TestApp.Get();
        var result = await app.Get<DashboardFunctions>().DashboardAsync(request, default);
        var context = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response.StatusCode, context.Response.Headers, await reader.ReadToEndAsync());
    }
}
