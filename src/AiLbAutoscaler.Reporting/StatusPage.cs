using System.Globalization;
using System.Text;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Telemetry;

namespace AiLbAutoscaler.Reporting;

/// <summary>What the status page shows of one stack: its policy, its status and its audit trail over the chart's window.</summary>
public sealed record StackDashboard(ScalingPolicy Policy, StackStatus Status, IReadOnlyList<AuditRecord> History);

/// <summary>
/// The status page (<c>GET /api/dashboard</c>): per stack, the current, desired and pending size and the override, a chart
/// of size and the winning signal from the audit trail, and the last decisions with their explanations.
/// </summary>
public static class StatusPage
{
    public const string SeriesCurrent = "current";
    public const string SeriesDesired = "desired";
    public const string SeriesWinner = "winning-signal";

    public static string Render(IReadOnlyList<StackDashboard> stacks, DateTimeOffset now, TimeSpan window)
    {
        var page = new HtmlPage("AiLbAutoscaler status",
            $"{stacks.Count} stack(s) at {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; charts cover the last {window.TotalHours:0.#} h of the audit trail.");
        if (stacks.Count == 0)
        {
            page.Raw("<p class=\"muted\">No stack is configured (Autoscaler:Stacks).</p>");
        }

        foreach (var stack in stacks)
        {
            page.Raw(Section(stack, now, window));
        }

        return page.ToString();
    }

    private static string Section(StackDashboard stack, DateTimeOffset now, TimeSpan window)
    {
        var status = stack.Status;
        var policy = stack.Policy;
        var latest = status.RecentDecisions.Count > 0 ? status.RecentDecisions[0] : stack.History.LastOrDefault();
        var html = new StringBuilder();
        html.Append("<section class=\"stack\" data-stack=\"").Append(HtmlPage.Encode(status.Stack)).Append("\"><h2>")
            .Append(HtmlPage.Encode(status.Stack)).Append("</h2><p class=\"muted\">")
            .Append(HtmlPage.Encode($"bounds [{policy.MinSize}, {policy.MaxSize}], mode {policy.Mode}{(policy.DryRun ? ", dry run" : "")}; " +
                $"signals: {string.Join(", ", policy.Signals.Select(s => $"{s.Signal} ({s.Kind}, target {HtmlPage.Number(s.Target)})"))}"))
            .Append("</p><dl class=\"sizes\">");
        Field(html, "current", "Current size", status.CurrentSize?.ToString(CultureInfo.InvariantCulture) ?? $"unknown: {status.CurrentSizeError}");
        Field(html, "desired", "Desired size", latest is null ? "no decision yet" : latest.Decision.DesiredSize.ToString(CultureInfo.InvariantCulture));
        Field(html, "pending", "Pending size", status.PendingDesiredSize is int p ? $"{p} ({status.PendingReason})" : "none");
        Field(html, "override", "Override", status.Override is { } o ? $"{o.Size} until {o.Until.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {o.Reason}" : "none");
        Field(html, "last-applied", "Last applied",
            status.LastAppliedSize is int a ? $"{a} at {status.LastAppliedAt?.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "never");
        Field(html, "winner", "Winning signal", latest?.Decision.WinningSignal ?? "none");
        Field(html, "schedules", "Schedules", status.Schedules.Count == 0 ? "none" : string.Join("; ", status.Schedules.Select(Describe)));
        html.Append("</dl>");

        html.Append(Chart(stack, now, window));

        html.Append("<h3>Last decisions</h3>");
        if (status.RecentDecisions.Count == 0)
        {
            html.Append("<p class=\"muted\">No decision in the audit trail yet.</p>");
        }
        else
        {
            html.Append(HtmlPage.Table("decisions",
                ["At (UTC)", "Trigger", "Action", "Size", "Winner", "Actuation", "Explanation"],
                status.RecentDecisions.Select(r => (IReadOnlyList<string>)
                [
                    r.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    AutoscalerTelemetry.Value(r.Trigger),
                    AutoscalerTelemetry.Value(r.Decision.Action) + (r.DryRun ? " (dry run)" : ""),
                    $"{r.Decision.CurrentSize} → {r.Decision.DesiredSize}",
                    r.Decision.WinningSignal ?? "none",
                    AutoscalerTelemetry.Value(r.Actuation.Outcome) + (r.Actuation.Message is { Length: > 0 } m ? $": {m}" : ""),
                    r.Decision.Explanation,
                ])));
        }

        html.Append("</section>\n");
        return html.ToString();
    }

    private static string Chart(StackDashboard stack, DateTimeOffset now, TimeSpan window)
    {
        var from = now - window;
        var records = stack.History.Where(r => r.At >= from).OrderBy(r => r.At).ToList();
        double X(DateTimeOffset at) => (at - now).TotalMinutes;

        // The size steps at each decision from what it was to what it became (the desired size where it was applied).
        var size = new List<(double X, double? Y)>();
        var desired = new List<(double X, double? Y)>();
        foreach (var r in records)
        {
            size.Add((X(r.At), r.Decision.CurrentSize));
            size.Add((X(r.At) + 1e-6, r.Actuation.Succeeded && !r.DryRun ? r.Decision.DesiredSize : r.Decision.CurrentSize));
            desired.Add((X(r.At), r.Decision.DesiredSize));
        }

        // The winning signal as observed over target: 1 is on target, whatever the signal's unit.
        var winner = records.Select(r => (X(r.At), r.Decision.Recommendations
            .FirstOrDefault(s => string.Equals(s.Signal, r.Decision.WinningSignal, StringComparison.OrdinalIgnoreCase))?.Ratio)).ToList();
        if (records.Count > 0)
        {
            // Sizes hold until now; the chart's right edge is the page's time.
            size.Add((0, size[^1].Y));
            desired.Add((0, desired[^1].Y));
        }

        var chart = new SvgChart(
            records.Count == 0 ? $"No decision in the last {window.TotalHours:0.#} h." : $"Size and the winning signal, last {window.TotalHours:0.#} h ({records.Count} decisions)",
            "instances", "winning signal ÷ target",
            x => now.AddMinutes(x).UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)).Domain(-window.TotalMinutes, 0);
        chart.Add(new ChartSeries(SeriesCurrent, "size", size, SvgChart.Palette[0], Step: true));
        chart.Add(new ChartSeries(SeriesDesired, "desired size", desired, SvgChart.Palette[1], Step: true, Dashed: true));
        chart.Add(new ChartSeries(SeriesWinner, "winning signal ÷ target (right axis)", winner, SvgChart.Palette[2], ChartAxis.Right));
        chart.Add(new ChartRule("on target (1.0, right axis)", 1, SvgChart.Palette[6], ChartAxis.Right));
        return chart.ToString();
    }

    private static string Describe(ScheduleView s) =>
        $"{s.Name}: floor {s.MinSize}, " + (s.Disabled ? "disabled" : s.Active ? $"active since {s.ActiveStart?.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "not active") +
        (s.NextStart is { } next ? $", next start {next.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "");

    private static void Field(StringBuilder html, string key, string label, string value) =>
        html.Append(value.Length > 10 ? "<div class=\"long\"><dt>" : "<div><dt>").Append(HtmlPage.Encode(label)).Append("</dt><dd data-field=\"").Append(key).Append("\">")
            .Append(HtmlPage.Encode(value)).Append("</dd></div>");
}
