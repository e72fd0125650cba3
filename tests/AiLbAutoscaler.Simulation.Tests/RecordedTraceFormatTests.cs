using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>The per-minute trace as <c>ailb record</c> writes it: header comments, gaps (empty requests) and token-mean columns.</summary>
[Trait("Area", "Record")]
public sealed class RecordedTraceFormatTests
{
    [Fact]
    public void Comments_are_skipped_and_a_gap_holds_the_previous_minutes_rate()
    {
        var path = TempFiles.Write("rec.csv", "# ailb record: stack s\n# source: test\nminute,requests\n0,60\n1,120\n2,\n3,\n4,30\n");
        var trace = TraceSpec.FromFile(path, 1, 1);

        Assert.Equal(TraceKind.PerMinute, trace.Kind);
        Assert.Equal([60, 120, 120, 120, 30], trace.MinuteProfile());
        Assert.Equal(2, trace.GapMinutes());
        Assert.Equal(["ailb record: stack s", "source: test"], TraceFiles.ReadComments(path));
        Assert.Equal([false, false, true, true, false], TraceFiles.ReadMinutes(path).Select(m => m.Gap));
    }

    [Fact]
    public void Leading_gaps_take_the_first_known_rate_and_an_all_gap_trace_is_an_error()
    {
        var lead = TraceSpec.FromFile(TempFiles.Write("lead.csv", "minute,requests\n0,\n1,\n2,90\n"), 1, 1);
        Assert.Equal([90, 90, 90], lead.MinuteProfile());
        Assert.Equal(2, lead.GapMinutes());

        var none = TraceSpec.FromFile(TempFiles.Write("none.csv", "# c\nminute,requests\n0,\n1,\n"), 1, 1);
        var ex = Assert.Throws<TraceFormatException>(() => none.MinuteProfile());
        Assert.Equal(2, ex.Line);
        Assert.Contains("every minute is a gap", ex.Message);
    }

    [Fact]
    public void Line_numbers_count_the_comment_lines()
    {
        var path = TempFiles.Write("bad.csv", "# one\n# two\nminute,requests,prompt_tokens_mean,output_tokens_mean\n0,10,100,20\n1,10,0.5,20\n");
        var ex = Assert.Throws<TraceFormatException>(() => TraceSpec.FromFile(path, 1, 1).MinuteProfile());
        Assert.Equal(5, ex.Line);
        Assert.Contains("prompt_tokens_mean '0.5'", ex.Message);
    }

    [Fact]
    public void Token_means_scale_the_draws_minute_by_minute_and_their_absence_keeps_the_distribution()
    {
        var tokens = new TokenDistribution();
        var rows = Enumerable.Range(0, 40).Select(m => m < 20 ? $"{m},600,200,50" : m < 30 ? $"{m},600,2000,400" : $"{m},600,,").ToList();
        var path = TempFiles.Write("tok.csv", "minute,requests,prompt_tokens_mean,output_tokens_mean\n" + string.Join("\n", rows) + "\n");
        var arrivals = new List<Arrival>();
        using (var stream = TraceSpec.FromFile(path, 1, 5, tokens).Open())
        {
            while (stream.TryNext(out var a))
            {
                arrivals.Add(a);
            }
        }

        double MeanPrompt(int from, int to) => arrivals.Where(a => a.Time >= from * 60 && a.Time < to * 60).Average(a => (double)a.PromptTokens);
        double MeanOutput(int from, int to) => arrivals.Where(a => a.Time >= from * 60 && a.Time < to * 60).Average(a => (double)a.OutputTokens);

        // ~12,000 draws in the first part, ~6,000 in each of the others: the sample means are within a few percent.
        Assert.InRange(MeanPrompt(0, 20), 200 * 0.96, 200 * 1.04);
        Assert.InRange(MeanOutput(0, 20), 50 * 0.95, 50 * 1.05);
        Assert.InRange(MeanPrompt(20, 30), 2000 * 0.96, 2000 * 1.04);
        Assert.InRange(MeanOutput(20, 30), 400 * 0.95, 400 * 1.05);

        // Empty token fields: the configured distribution, whose mean is median·e^(σ²/2) (clipping at 8,192 is negligible).
        var sigma = Math.Log(tokens.PromptP99 / tokens.PromptMedian) / 2.3263478740408408;
        Assert.InRange(MeanPrompt(30, 40), tokens.PromptMedian * Math.Exp(sigma * sigma / 2) * 0.95, tokens.PromptMedian * Math.Exp(sigma * sigma / 2) * 1.05);
    }

    [Fact]
    public void A_backtest_reports_the_gap_minutes()
    {
        var counts = Enumerable.Range(0, 30).Select(m => m is >= 10 and < 15 ? "" : "120").ToList();
        var path = TempFiles.Write("gaps.csv", "minute,requests\n" + string.Join("\n", counts.Select((c, i) => $"{i},{c}")) + "\n");
        var result = BacktestRunner.Run(new BacktestRequest { Trace = TraceSpec.FromFile(path, 1, 3), Policies = ["static"], Options = new SimulationOptions() });

        Assert.Equal(5, result.GapMinutes);
        using var json = new MemoryStream();
        BacktestReport.WriteJson(result, json);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        Assert.Equal(5, doc.RootElement.GetProperty("gap_minutes").GetInt32());
    }
}
