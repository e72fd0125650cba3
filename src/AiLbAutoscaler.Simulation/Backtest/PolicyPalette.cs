using ScottPlot;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>One fixed colour per policy, so every chart shows a policy the same way (Tableau 10 hues).</summary>
public static class PolicyPalette
{
    private static readonly Dictionary<string, Color> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ailb"] = Color.FromHex("#1f77b4"),
        ["hpa"] = Color.FromHex("#ff7f0e"),
        ["hpa-queue"] = Color.FromHex("#d62728"),
        ["gce"] = Color.FromHex("#2ca02c"),
        ["gce-lb"] = Color.FromHex("#9467bd"),
        ["static"] = Color.FromHex("#7f7f7f"),
        ["oracle"] = Color.FromHex("#17becf"),
    };

    private static readonly Color[] Others = [Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#bcbd22")];

    public static Color ColorFor(string policyName) =>
        Known.TryGetValue(policyName, out var c) ? c : Others[(int)((uint)StableHash(policyName) % (uint)Others.Length)];

    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var ch in s.ToLowerInvariant())
        {
            h = unchecked(h * 31 + ch);
        }

        return h;
    }
}
