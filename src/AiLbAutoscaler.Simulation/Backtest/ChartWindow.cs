using System.Globalization;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// The part of the trace a chart shows, <c>FROM..TO</c>: each end a number of minutes, or of hours with an <c>h</c>
/// (<c>90..240</c>, <c>2h..6h</c>, <c>36h..</c>, <c>..30</c>). Only the chart zooms; the scores cover the whole trace.
/// </summary>
public readonly record struct ChartWindow(int FromMinute, int ToMinute)
{
    public static ChartWindow All => new(0, int.MaxValue);

    public static ChartWindow Parse(string text)
    {
        var parts = text.Split("..");
        if (parts.Length != 2)
        {
            throw new ArgumentException($"--window: '{text}' is not FROM..TO (minutes, or hours with h: 90..240, 2h..6h).");
        }

        var from = parts[0].Length == 0 ? 0 : Minutes(parts[0], text);
        var to = parts[1].Length == 0 ? int.MaxValue : Minutes(parts[1], text);
        return to > from ? new ChartWindow(from, to) : throw new ArgumentException($"--window: FROM must be before TO (was '{text}').");
    }

    public bool Contains(int minute) => minute >= FromMinute && minute < ToMinute;

    private static int Minutes(string part, string text)
    {
        var p = part.Trim().ToLowerInvariant();
        var factor = 1.0;
        if (p.EndsWith('h'))
        {
            factor = 60;
            p = p[..^1];
        }
        else if (p.EndsWith('m'))
        {
            p = p[..^1];
        }

        return double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && v * factor < int.MaxValue
            ? (int)Math.Round(v * factor)
            : throw new ArgumentException($"--window: '{part}' in '{text}' is not a time of 0 or more (minutes, or hours with h).");
    }
}
