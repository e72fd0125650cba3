using AiLbAutoscaler.Simulation.Monitoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

[Trait("Area", "Simulation")]
public sealed class TrafficTests
{
    [Theory]
    [InlineData("t_ms,prompt_tokens,output_tokens\n0,10,5\n5,abc,3\n", 3, "prompt_tokens 'abc'")]
    [InlineData("t_ms,prompt_tokens,output_tokens\n0,10,5\n100,10,5\n50,1,1\n", 4, "before the previous row")]
    [InlineData("t_ms,prompt_tokens,output_tokens\n0,10,5\n1,2\n", 3, "expected 3 columns")]
    [InlineData("t_ms,prompt_tokens,output_tokens\n-4,10,5\n", 2, "t_ms '-4'")]
    public void A_malformed_request_line_names_the_file_and_line(string content, int line, string problem)
    {
        var path = TempFiles.Write("bad.csv", content);
        var trace = TraceSpec.FromFile(path, 1, 1);
        var ex = Assert.Throws<TraceFormatException>(() =>
        {
            using var s = trace.Open();
            while (s.TryNext(out _))
            {
            }
        });
        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"{path}:{line}:", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Theory]
    [InlineData("minute,requests\n0,10\n1,x\n", 3)]
    [InlineData("minute,requests\n0,10\n2,5\n1,5\n", 4)]
    public void A_malformed_minute_line_names_the_file_and_line(string content, int line)
    {
        var path = TempFiles.Write("bad-minutes.csv", content);
        var ex = Assert.Throws<TraceFormatException>(() => TraceSpec.FromFile(path, 1, 1).MinuteProfile());
        Assert.Equal(line, ex.Line);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void An_unknown_header_is_rejected_on_line_one()
    {
        var path = TempFiles.Write("odd.csv", "when,what\n1,2\n");
        var ex = Assert.Throws<TraceFormatException>(() => TraceSpec.FromFile(path, 1, 1));
        Assert.Equal(1, ex.Line);
        Assert.Contains("minute,requests", ex.Message);
    }

    [Fact]
    public void Per_minute_counts_become_poisson_arrivals_within_their_minute()
    {
        var path = TempFiles.Minutes(600, 0, 1200);
        using var s = TraceSpec.FromFile(path, 1, 3).Open();
        var counts = new int[3];
        var last = 0.0;
        while (s.TryNext(out var a))
        {
            Assert.True(a.Time >= last);
            Assert.InRange(a.PromptTokens, 1, 8192);
            Assert.InRange(a.OutputTokens, 1, 8192);
            last = a.Time;
            counts[(int)(a.Time / 60)]++;
        }

        Assert.InRange(counts[0], 600 - 100, 600 + 100); // Poisson: sd √600 ≈ 24.5
        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[2], 1200 - 140, 1200 + 140);
    }

    [Fact]
    public void Rate_scale_multiplies_a_per_request_trace_and_keeps_time_order()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 1000).Select(i => $"{i * 100},{100 + i},{10}"));
        var path = TempFiles.Write("req.csv", "t_ms,prompt_tokens,output_tokens\n" + rows + "\n");
        foreach (var (scale, expected) in new[] { (1.0, 1000), (3.0, 3000), (0.5, 500), (2.5, 2500) })
        {
            using var s = TraceSpec.FromFile(path, scale, 1).Open();
            var n = 0;
            var last = 0.0;
            while (s.TryNext(out var a))
            {
                Assert.True(a.Time >= last, $"out of order at {n} with scale {scale}");
                last = a.Time;
                n++;
            }

            Assert.InRange(n, expected * 0.9, expected * 1.1);
            if (scale % 1 == 0)
            {
                Assert.Equal(expected, n);
            }
        }
    }

    [Fact]
    public void Token_draws_follow_the_documented_medians()
    {
        var d = new TokenDistribution();
        var sampler = d.CreateSampler(new SimRandom(5));
        var prompts = Enumerable.Range(0, 20_001).Select(_ => sampler.Prompt()).Order().ToArray();
        var outputs = Enumerable.Range(0, 20_001).Select(_ => sampler.Output()).Order().ToArray();
        Assert.InRange(prompts[10_000], 1020 * 0.95, 1020 * 1.05);
        Assert.InRange(outputs[10_000], 129 * 0.95, 129 * 1.05);
        Assert.InRange(prompts[19_800], 4142 * 0.9, 4142 * 1.1);
    }

    [Fact]
    public void The_histogram_percentiles_are_within_three_percent()
    {
        var h = new LogHistogram();
        for (var i = 1; i <= 10_000; i++)
        {
            h.Record(i);
        }

        Assert.InRange(h.Percentile(0.5), 5000 * 0.97, 5000 * 1.03);
        Assert.InRange(h.Percentile(0.95), 9500 * 0.97, 9500 * 1.03);
        h.RecordOverflow();
        Assert.Equal(double.PositiveInfinity, h.Percentile(1.0));
        Assert.InRange(h.PercentileOfRecorded(1.0), 10_000 * 0.97, 10_000 * 1.03);
    }

    [Fact]
    public void Scenarios_have_their_documented_shapes()
    {
        Assert.Equal(10 * 20, Scenarios.Shape("spike", 45, 20));
        Assert.Equal(20, Scenarios.Shape("spike", 39, 20));
        Assert.Equal(20, Scenarios.Shape("spike", 55, 20));
        Assert.Equal(20 * 1.6, Scenarios.Shape("diurnal", 720, 20), 9);
        Assert.Equal(20 * 0.4, Scenarios.Shape("diurnal", 0, 20), 9);
        Assert.Throws<ArgumentException>(() => TraceSpec.FromScenario("tsunami", 1, 1));
    }
}
