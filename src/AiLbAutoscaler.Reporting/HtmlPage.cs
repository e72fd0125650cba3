using System.Globalization;
using System.Net;
using System.Text;

namespace AiLbAutoscaler.Reporting;

/// <summary>
/// Writes one self-contained HTML page: inline CSS, inline SVG, no script and no external resource, so it works on a
/// closed network and from a file. Text and attribute values always go through <see cref="Encode"/>; only the page's own
/// markup is written raw.
/// </summary>
public sealed class HtmlPage
{
    private const string Style = """
        :root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; padding: 1.5rem 2rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
        header p, .muted { color: var(--muted); }
        h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
        h2 { font-size: 1.2rem; margin: 0 0 .75rem; }
        section { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
        dl.sizes { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem 1rem; margin: 0 0 1rem; }
        dl.sizes div { background: var(--bg); border-radius: 6px; padding: .4rem .6rem; }
        dl.sizes dt { color: var(--muted); font-size: .8rem; }
        dl.sizes dd { margin: 0; font-size: 1.25rem; font-weight: 600; }
        dl.sizes div.long { grid-column: span 2; }
        dl.sizes div.long dd { font-size: .95rem; font-weight: 500; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
        th { background: var(--bg); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: .5rem 0 1rem; }
        figcaption { color: var(--muted); font-size: .85rem; }
        svg.chart { width: 100%; max-width: 960px; height: auto; background: #fff; }
        svg.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
        svg.chart .grid { stroke: #eaeef2; }
        svg.chart .axis { stroke: #8c959f; }
        ul.legend { list-style: none; padding: 0; margin: .25rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
        ul.legend li::before { content: ""; display: inline-block; width: 1.2em; height: 3px; margin-right: .4em; vertical-align: middle; background: var(--swatch); }
        """;

    /// <summary>No script may run, not even one that slipped into a value; styles and data images are inline.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    private readonly StringBuilder _body = new();

    public HtmlPage(string title, string subtitle)
    {
        Title = title;
        _body.Append("<header><h1>").Append(Encode(title)).Append("</h1><p>").Append(Encode(subtitle)).Append("</p></header>\n");
    }

    public string Title { get; }

    /// <summary>Escapes text for an element's content or a quoted attribute value (&lt; &gt; &amp; " ').</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number as the page prints it: invariant culture, up to <paramref name="decimals"/> places.</summary>
    public static string Number(double value, int decimals = 2) =>
        double.IsFinite(value) ? Math.Round(value, decimals).ToString(CultureInfo.InvariantCulture) : "—";

    /// <summary>Appends page markup written by this library's own builders (already escaped).</summary>
    public HtmlPage Raw(string markup)
    {
        _body.Append(markup);
        return this;
    }

    /// <summary>A table: headers, then rows of cells (text, escaped here); numeric columns are right-aligned.</summary>
    public static string Table(string cssClass, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, ISet<int>? numeric = null)
    {
        var html = new StringBuilder();
        html.Append("<table class=\"").Append(Encode(cssClass)).Append("\"><thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            html.Append(numeric?.Contains(i) == true ? "<th class=\"num\">" : "<th>").Append(Encode(headers[i])).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                html.Append(numeric?.Contains(i) == true ? "<td class=\"num\">" : "<td>").Append(Encode(row[i])).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>\n");
        return html.ToString();
    }

    public override string ToString() =>
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" +
        "<meta http-equiv=\"Content-Security-Policy\" content=\"" + ContentSecurityPolicy + "\">" +
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + Encode(Title) + "</title><style>" + Style +
        "</style></head><body>\n" + _body + "</body></html>\n";
}
