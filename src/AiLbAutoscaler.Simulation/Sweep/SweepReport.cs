using System.Text.Json;
using AiLbAutoscaler.Simulation.Backtest;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>The sweep JSON: every run, each policy's Pareto front, and each baseline's cheapest match of ailb's default.</summary>
public static class SweepReport
{
    public static void WriteJson(SweepResult result, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("trace", result.Trace);
        w.WriteNumber("seed", result.Seed);
        BacktestReport.Number(w, "slo_ms", result.SloMs);
        BacktestReport.Number(w, "slo_target", result.SloTarget);
        BacktestReport.Number(w, "sim_seconds", result.SimSeconds);
        BacktestReport.Number(w, "wall_seconds", Math.Round(result.WallSeconds, 3));
        w.WriteNumber("requests", result.Requests);
        w.WriteNumber("runs", result.Points.Count);
        BacktestReport.WriteCalibration(w, result.Capacity, result.Plan, result.MaxSize);
        w.WriteStartArray("warnings");
        foreach (var warning in result.MaxSizeWarnings())
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
        w.WriteStartArray("policies");
        foreach (var policy in result.Policies)
        {
            var front = result.FrontOf(policy);
            w.WriteStartObject();
            w.WriteString("policy", policy);
            w.WriteStartArray("points");
            foreach (var p in result.Points.Where(p => p.Policy == policy))
            {
                w.WriteStartObject();
                Point(w, p);
                w.WriteBoolean("on_front", front.Contains(p));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("front");
            foreach (var p in front)
            {
                w.WriteStartObject();
                Point(w, p);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (result.Reference is { } r)
        {
            w.WriteStartObject("reference");
            Point(w, r);
            w.WriteEndObject();
        }

        w.WriteStartArray("matches");
        foreach (var m in result.Matches)
        {
            w.WriteStartObject();
            w.WriteString("policy", m.Policy);
            if (m.Cheapest is { } c)
            {
                w.WriteStartObject("cheapest_matching");
                Point(w, c);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("cheapest_matching");
            }

            BacktestReport.Number(w, "cost_ratio_to_ailb", m.CostRatio is double x ? Math.Round(x, 4) : double.NaN);
            w.WriteStartObject("best");
            Point(w, m.Best);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        BacktestReport.WriteEvents(w, result.EventMinutes, result.RecoveryFloorSeconds);
        w.WriteEndObject();
    }

    private static void Point(Utf8JsonWriter w, SweepPoint p)
    {
        w.WriteString("knob", p.Knob);
        BacktestReport.Number(w, "setting", p.Setting);
        w.WriteString("label", p.Label);
        w.WriteBoolean("default", p.IsDefault);
        BacktestReport.WriteScore(w, p.Score);
        BacktestReport.WriteRecovery(w, p.Score);
    }
}
