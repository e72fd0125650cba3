using System.Text.Json;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>The backtest JSON: the keys issue 3 names, gap_minutes (issue 14), the run's inputs (issue 13), feasibility, the calibration and MaxSize warnings (issue 10); existing keys keep their place. NaN (no data) is written as null.</summary>
public static class BacktestReport
{
    public static void WriteJson(BacktestResult result, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        Write(result, w);
    }

    public static string ToJson(BacktestResult result)
    {
        using var stream = new MemoryStream();
        WriteJson(result, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(BacktestResult result, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("trace", result.Trace);
        w.WriteNumber("seed", result.Seed);
        Number(w, "slo_ms", result.SloMs);
        Number(w, "sim_seconds", result.SimSeconds);
        w.WriteNumber("gap_minutes", result.GapMinutes);
        Number(w, "wall_seconds", Math.Round(result.WallSeconds, 3));
        w.WriteNumber("requests", result.Requests);
        Number(w, "requests_per_wall_second", Math.Round(result.RequestsPerWallSecond));
        Number(w, "rate_scale", result.RateScale);
        if (result.TracePath is { } path)
        {
            w.WriteString("trace_path", path);
        }
        else
        {
            w.WriteNull("trace_path");
        }

        w.WriteNumber("static_size", result.Capacity.StaticSize);
        w.WriteNumber("max_size", result.MaxSize);
        w.WriteBoolean("calibration_at_max_size", result.CalibrationAtMaxSize);
        WriteCalibration(w, result);
        w.WriteStartArray("results");
        foreach (var run in result.Runs)
        {
            var s = run.Score;
            w.WriteStartObject();
            WriteScore(w, s);
            w.WriteBoolean("reached_max_size", result.MaxSize > 0 && s.PeakInstances >= result.MaxSize);
            WriteRecovery(w, s);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteEvents(w, result.EventMinutes, result.RecoveryFloorSeconds);
        w.WriteEndObject();
    }

    /// <summary>The calibration, the oracle plan and every MaxSize hit, in numbers and in words.</summary>
    internal static void WriteCalibration(Utf8JsonWriter w, BacktestResult result)
    {
        WriteCalibration(w, result.Capacity, result.Plan, result.MaxSize);
        w.WriteStartArray("warnings");
        foreach (var warning in result.MaxSizeWarnings())
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
    }

    internal static void WriteCalibration(Utf8JsonWriter w, Policies.Capacity capacity, OraclePlan? plan, int maxSize)
    {
        w.WriteStartObject("calibration");
        w.WriteNumber("static_size", capacity.StaticSize);
        Number(w, "busiest_requests_per_second", Math.Round(capacity.BusiestRequestsPerSecond, 3));
        Number(w, "requests_per_instance_per_second", Math.Round(capacity.RequestsPerInstancePerSecond, 4));
        w.WriteBoolean("hit_max_size", capacity.HitMaxSize);
        if (plan is not null)
        {
            w.WriteNumber("oracle_levels", plan.Levels);
            Number(w, "oracle_aim", plan.Aim);
            w.WriteBoolean("oracle_hit_max_size", plan.HitMaxSize);
        }

        w.WriteNumber("max_size", maxSize);
        w.WriteEndObject();
    }

    internal static void WriteScore(Utf8JsonWriter w, Scoring.Scorecard s)
    {
        w.WriteString("policy", s.Policy);
        Number(w, "feasible_attainment", Math.Round(s.FeasibleAttainment, 6));
        Number(w, "slo_attainment", Math.Round(s.SloAttainment, 6));
        Number(w, "feasible_share", Math.Round(s.FeasibleShare, 6));
        w.WriteNumber("max_size_hits", s.MaxSizeHits);
        w.WriteNumber("violation_minutes", s.ViolationMinutes);
        Number(w, "instance_hours", Math.Round(s.InstanceHours, 3));
        Number(w, "cost_vs_oracle", s.CostVsOracle is double c ? Math.Round(c, 4) : double.NaN);
        w.WriteNumber("resizes", s.Resizes);
        w.WriteNumber("direction_changes", s.DirectionChanges);
        Number(w, "ttft_p50_ms", Math.Round(s.TtftP50Ms, 1));
        Number(w, "ttft_p95_ms", Math.Round(s.TtftP95Ms, 1));
        Number(w, "ttft_p99_ms", Math.Round(s.TtftP99Ms, 1));
        Number(w, "e2e_p95_ms", Math.Round(s.E2eP95Ms, 1));
        w.WriteNumber("peak_instances", s.PeakInstances);
        w.WriteNumber("served", s.Served);
        w.WriteNumber("dropped", s.Dropped);
    }

    /// <summary>The load events and how they are found, and the recovery floor (issue 12).</summary>
    internal static void WriteEvents(Utf8JsonWriter w, IReadOnlyList<int> minutes, double floorSeconds)
    {
        w.WriteStartObject("events");
        Number(w, "jump_factor", Scoring.LoadEvents.JumpFactor);
        w.WriteNumber("baseline_minutes", Scoring.LoadEvents.BaselineMinutes);
        Number(w, "min_jump_requests", Scoring.LoadEvents.MinJumpRequests);
        w.WriteNumber("hold_minutes", Scoring.RecoveryTracker.HoldMinutes);
        Number(w, "recovery_floor_seconds", floorSeconds);
        w.WriteStartArray("minutes");
        foreach (var m in minutes)
        {
            w.WriteNumberValue(m);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The slowest recovery (null without events or when one never recovered; then <c>unrecovered_events</c> counts them) and each event's.</summary>
    internal static void WriteRecovery(Utf8JsonWriter w, Scoring.Scorecard s)
    {
        Number(w, "recovery_seconds", s.WorstRecoverySeconds ?? double.NaN);
        w.WriteNumber("unrecovered_events", s.Recoveries.Count(r => r.Seconds is null));
        w.WriteStartArray("recoveries");
        foreach (var r in s.Recoveries)
        {
            w.WriteStartObject();
            w.WriteNumber("minute", r.Minute);
            Number(w, "seconds", r.Seconds ?? double.NaN);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
