using ScottPlot;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// One fixed colour per policy, the same in every panel and every chart, so a reader never pins one policy's line on
/// another. Grey (load) and red (the SLO) are kept out of it. Colours from the Okabe–Ito colour-blind-safe set where it has room.
/// </summary>
public static class PolicyPalette
{
    private static readonly Dictionary<string, Color> Fixed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ailb"] = Color.FromHex("#0072B2"),      // blue
        ["hpa"] = Color.FromHex("#E69F00"),       // orange
        ["hpa-queue"] = Color.FromHex("#8C510A"), // brown
        ["gce"] = Color.FromHex("#009E73"),       // bluish green
        ["gce-lb"] = Color.FromHex("#999933"),    // olive
        ["static"] = Color.FromHex("#CC79A7"),    // reddish purple
        ["oracle"] = Color.FromHex("#332288"),    // indigo
        ["oracle-reactive"] = Color.FromHex("#88CCEE"), // cyan
    };

    /// <summary>For names not listed above: picked by a stable hash of the name, so a policy keeps its colour between runs.</summary>
    private static readonly Color[] Fallback =
    [
        Color.FromHex("#56B4E9"), Color.FromHex("#44AA99"), Color.FromHex("#882255"), Color.FromHex("#DDCC77"),
        Color.FromHex("#117733"), Color.FromHex("#AA4499"), Color.FromHex("#6699CC"), Color.FromHex("#661100"),
    ];

    /// <summary>The load line's colour.</summary>
    public static Color Load => Colors.Gray.WithAlpha(0.6);

    /// <summary>The SLO line's colour.</summary>
    public static Color Slo => Colors.Red;

    /// <summary>The same colour as CSS hex, for the HTML reports' SVG charts.</summary>
    public static string Hex(string policyName)
    {
        var c = ColorFor(policyName);
        return $"#{c.R:x2}{c.G:x2}{c.B:x2}";
    }

    public static Color ColorFor(string policyName)
    {
        if (Fixed.TryGetValue(policyName, out var color))
        {
            return color;
        }

        var hash = 2166136261u; // FNV-1a: string.GetHashCode is randomised per process
        foreach (var c in policyName.ToLowerInvariant())
        {
            hash = (hash ^ c) * 16777619u;
        }

        return Fallback[hash % (uint)Fallback.Length];
    }
}
