using System.Globalization;
using System.Text;

namespace AiLbAutoscaler.Metrics.Tests.Support;

/// <summary>
/// A real Prometheus holding two days of vLLM counters generated from a per-minute source trace (<see cref="SourceCsv"/>):
/// <c>vllm:request_success_total</c> (two finished_reason series), <c>vllm:prompt_tokens_total</c> and
/// <c>vllm:generation_tokens_total</c>, sampled every 15 s, with a 15-minute gap (no samples) and a process restart
/// (every counter back to zero) in the middle of minute <see cref="ResetMinute"/>.
/// </summary>
public sealed class TrafficPrometheusFixture : PrometheusServerFixture
{
    public const int Minutes = 2880;
    public const int GapStart = 1000;
    public const int GapLength = 15;
    public const int ResetMinute = 2000;

    /// <summary>The start of minute 0: the data ends 5 minutes before the fixture's Now, on a minute boundary.</summary>
    public DateTimeOffset From => DateTimeOffset.FromUnixTimeSeconds((Now.ToUnixTimeSeconds() / 60 * 60) - ((Minutes + 5) * 60L));

    public DateTimeOffset To => From.AddMinutes(Minutes);

    public static bool IsGap(int m) => m is >= GapStart and < GapStart + GapLength;

    /// <summary>Requests in minute m; a multiple of 16 so each 15 s quarter splits 3:1 over two series in whole numbers.</summary>
    public static long Requests(int m) => 16L * (1 + (m % 13) + (3 * ((m / 60) % 24)));

    public static long PromptMean(int m) => 500 + ((m % 50) * 10);

    public static long OutputMean(int m) => 100 + ((m % 20) * 5);

    /// <summary>The source the counters were generated from, in the trace format (gaps as empty fields).</summary>
    public string SourceCsv()
    {
        var csv = new StringBuilder("minute,requests,prompt_tokens_mean,output_tokens_mean\n");
        for (var m = 0; m < Minutes; m++)
        {
            csv.Append(IsGap(m) ? string.Create(CultureInfo.InvariantCulture, $"{m},,,\n") : string.Create(CultureInfo.InvariantCulture, $"{m},{Requests(m)},{PromptMean(m)},{OutputMean(m)}\n"));
        }

        return csv.ToString();
    }

    protected override string Samples()
    {
        // Cumulative counters; the restart zeroes them just after the first quarter of ResetMinute.
        var stop = new List<string>();
        var length = new List<string>();
        var prompt = new List<string>();
        var output = new List<string>();
        long s = 0, l = 0, p = 0, o = 0;
        var t0 = From.ToUnixTimeSeconds();
        void Sample(long t)
        {
            stop.Add($"vllm:request_success_total{{finished_reason=\"stop\",model_name=\"m\"}} {s} {t}");
            length.Add($"vllm:request_success_total{{finished_reason=\"length\",model_name=\"m\"}} {l} {t}");
            prompt.Add($"vllm:prompt_tokens_total{{model_name=\"m\"}} {p} {t}");
            output.Add($"vllm:generation_tokens_total{{model_name=\"m\"}} {o} {t}");
        }

        Sample(t0);
        for (var m = 0; m < Minutes; m++)
        {
            var quarter = Requests(m) / 4;
            for (var k = 1; k <= 4; k++)
            {
                if (m == ResetMinute && k == 2)
                {
                    s = l = p = o = 0;
                }

                s += quarter * 3 / 4;
                l += quarter / 4;
                p += quarter * PromptMean(m);
                o += quarter * OutputMean(m);
                if (!IsGap(m))
                {
                    Sample(t0 + (60L * m) + (15 * k));
                }
            }
        }

        var text = new StringBuilder();
        text.Append("# TYPE vllm:request_success counter\n");
        foreach (var line in stop.Concat(length))
        {
            text.Append(line).Append('\n');
        }

        text.Append("# TYPE vllm:prompt_tokens counter\n");
        foreach (var line in prompt)
        {
            text.Append(line).Append('\n');
        }

        text.Append("# TYPE vllm:generation_tokens counter\n");
        foreach (var line in output)
        {
            text.Append(line).Append('\n');
        }

        return text.Append("# EOF\n").ToString();
    }
}
