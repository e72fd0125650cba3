using System.Globalization;
using System.Text;

namespace AiLbAutoscaler.Reporting;

/// <summary>Which vertical axis a series is read against.</summary>
public enum ChartAxis
{
    Left,
    Right,
}

/// <summary>
/// One line of a chart. A null y is a gap: the line breaks there rather than pretending a value. A step series holds
/// each value until the next point (sizes); otherwise points are joined straight.
/// </summary>
public sealed record ChartSeries(string Key, string Label, IReadOnlyList<(double X, double? Y)> Points, string Color,
    ChartAxis Axis = ChartAxis.Left, bool Step = false, bool Dashed = false);

/// <summary>A horizontal reference line (an SLO, a target) on one axis.</summary>
public sealed record ChartRule(string Label, double Y, string Color, ChartAxis Axis = ChartAxis.Left);

/// <summary>
/// An inline SVG line chart: one <c>&lt;path class="series" data-series="…"&gt;</c> per series (empty when the series has
/// no point), gridlines, tick labels on both axes and an HTML legend. Written by hand because it is small and must stay
/// self-contained; every label is escaped.
/// </summary>
public sealed class SvgChart(string title, string leftAxis, string? rightAxis, Func<double, string> formatX)
{
    private const int Width = 960;
    private const int Height = 300;
    private const int Left = 56;
    private const int Right = 56;
    private const int Top = 28;
    private const int Bottom = 32;

    /// <summary>The colours series are given in order: distinguishable, and readable on white.</summary>
    public static readonly string[] Palette = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83", "#6e7781", "#bf3989"];

    private readonly List<ChartSeries> _series = [];
    private readonly List<ChartRule> _rules = [];
    private (double From, double To)? _domain;

    /// <summary>Fixes the x range (a time window) instead of fitting it to the points.</summary>
    public SvgChart Domain(double from, double to)
    {
        _domain = (from, to);
        return this;
    }

    public SvgChart Add(ChartSeries series)
    {
        _series.Add(series);
        return this;
    }

    public SvgChart Add(ChartRule rule)
    {
        _rules.Add(rule);
        return this;
    }

    public override string ToString()
    {
        var points = _series.SelectMany(s => s.Points).ToList();
        var (x0, x1) = _domain ?? Range(points.Select(p => p.X), pad: false);
        var (l0, l1) = Range(Values(ChartAxis.Left), pad: true);
        var (r0, r1) = Range(Values(ChartAxis.Right), pad: true);
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        double Py(double y, ChartAxis axis)
        {
            var (lo, hi) = axis == ChartAxis.Left ? (l0, l1) : (r0, r1);
            return Height - Bottom - (y - lo) / (hi - lo) * (Height - Top - Bottom);
        }

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<figure><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{HtmlPage.Encode(title)}\">");
        for (var i = 0; i <= 4; i++)
        {
            var y = l0 + (l1 - l0) * i / 4;
            var py = F(Py(y, ChartAxis.Left));
            svg.Append($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{py}\" y2=\"{py}\"/>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{py}\" text-anchor=\"end\" dominant-baseline=\"middle\">{HtmlPage.Number(y, 1)}</text>");
            if (rightAxis is not null)
            {
                var ry = r0 + (r1 - r0) * i / 4;
                svg.Append($"<text x=\"{Width - Right + 6}\" y=\"{F(Py(ry, ChartAxis.Right))}\" dominant-baseline=\"middle\">{HtmlPage.Number(ry, 2)}</text>");
            }
        }

        for (var i = 0; i <= 6; i++)
        {
            var x = x0 + (x1 - x0) * i / 6;
            svg.Append($"<text x=\"{F(Px(x))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{HtmlPage.Encode(formatX(x))}</text>");
        }

        svg.Append($"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\"/>");
        svg.Append($"<text x=\"4\" y=\"{Top - 14}\">{HtmlPage.Encode(leftAxis)}</text>");
        if (rightAxis is not null)
        {
            svg.Append($"<text x=\"{Width - 4}\" y=\"{Top - 14}\" text-anchor=\"end\">{HtmlPage.Encode(rightAxis)}</text>");
        }

        foreach (var rule in _rules)
        {
            var py = F(Py(rule.Y, rule.Axis));
            svg.Append($"<line class=\"rule\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{py}\" y2=\"{py}\" stroke=\"{HtmlPage.Encode(rule.Color)}\" stroke-dasharray=\"6 4\"/>");
        }

        foreach (var series in _series)
        {
            svg.Append($"<path class=\"series\" data-series=\"{HtmlPage.Encode(series.Key)}\" fill=\"none\" stroke=\"{HtmlPage.Encode(series.Color)}\" stroke-width=\"2\"");
            if (series.Dashed)
            {
                svg.Append(" stroke-dasharray=\"5 3\"");
            }

            svg.Append(" d=\"").Append(PathData(series, Px, Py)).Append("\"><title>").Append(HtmlPage.Encode(series.Label)).Append("</title></path>");
        }

        svg.Append("</svg><ul class=\"legend\">");
        foreach (var series in _series)
        {
            svg.Append($"<li style=\"--swatch: {HtmlPage.Encode(series.Color)}\">{HtmlPage.Encode(series.Label)}</li>");
        }

        foreach (var rule in _rules)
        {
            svg.Append($"<li style=\"--swatch: {HtmlPage.Encode(rule.Color)}\">{HtmlPage.Encode(rule.Label)}</li>");
        }

        svg.Append("</ul><figcaption>").Append(HtmlPage.Encode(title)).Append("</figcaption></figure>\n");
        return svg.ToString();
    }

    private static string PathData(ChartSeries series, Func<double, double> px, Func<double, ChartAxis, double> py)
    {
        var d = new StringBuilder();
        var open = false;
        foreach (var (x, y) in series.Points.OrderBy(p => p.X))
        {
            if (y is not double value || !double.IsFinite(value))
            {
                open = false;
                continue;
            }

            var sx = F(px(x));
            var sy = F(py(value, series.Axis));
            if (!open)
            {
                d.Append(d.Length > 0 ? " M" : "M").Append(sx).Append(' ').Append(sy);
                open = true;
            }
            else if (series.Step)
            {
                d.Append(" H").Append(sx).Append(" V").Append(sy);
            }
            else
            {
                d.Append(" L").Append(sx).Append(' ').Append(sy);
            }
        }

        return d.ToString();
    }

    private IEnumerable<double> Values(ChartAxis axis) =>
        _series.Where(s => s.Axis == axis).SelectMany(s => s.Points).Select(p => p.Y).OfType<double>().Where(double.IsFinite)
            .Concat(_rules.Where(r => r.Axis == axis).Select(r => r.Y));

    /// <summary>The span of the values; a padded value axis starts at zero and leaves headroom.</summary>
    private static (double Lo, double Hi) Range(IEnumerable<double> values, bool pad)
    {
        var list = values.Where(double.IsFinite).ToList();
        if (list.Count == 0)
        {
            return (0, 1);
        }

        var lo = pad ? Math.Min(0, list.Min()) : list.Min();
        var hi = list.Max();
        if (pad)
        {
            hi += Math.Max((hi - lo) * 0.1, 0.5);
        }

        return hi > lo ? (lo, hi) : (lo, lo + 1);
    }

    private static string F(double value) => Math.Round(value, 1).ToString(CultureInfo.InvariantCulture);
}
