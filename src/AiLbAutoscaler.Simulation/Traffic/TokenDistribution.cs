namespace AiLbAutoscaler.Simulation.Traffic;

/// <summary>
/// Prompt and output token counts drawn from log-normal distributions given by their median and 99th percentile.
/// The default is fitted to the Azure LLM inference trace 2023, conversation set (Patel et al., Splitwise, ISCA 2024):
/// prompt p50 1,020 / p99 4,142 tokens, output p50 129 / p99 601 tokens (see docs/simulation.md).
/// </summary>
public sealed class TokenDistribution
{
    private const double Z99 = 2.3263478740408408;

    public double PromptMedian { get; set; } = 1020;

    public double PromptP99 { get; set; } = 4142;

    public double OutputMedian { get; set; } = 129;

    public double OutputP99 { get; set; } = 601;

    /// <summary>Draws are clipped to [1, MaxTokens] (a context window).</summary>
    public int MaxTokens { get; set; } = 8192;

    /// <summary>The Azure 2023 code-completion statistics: prompt p50 1,469 / p99 7,436; output p50 13 / p99 252.</summary>
    public static TokenDistribution AzureCode2023() => new() { PromptMedian = 1469, PromptP99 = 7436, OutputMedian = 13, OutputP99 = 252 };

    public IEnumerable<string> Validate(string path)
    {
        if (!(PromptMedian >= 1) || !(PromptP99 >= PromptMedian))
        {
            yield return $"{path}: PromptMedian must be ≥ 1 and PromptP99 ≥ PromptMedian (were {PromptMedian}, {PromptP99}).";
        }

        if (!(OutputMedian >= 1) || !(OutputP99 >= OutputMedian))
        {
            yield return $"{path}: OutputMedian must be ≥ 1 and OutputP99 ≥ OutputMedian (were {OutputMedian}, {OutputP99}).";
        }

        if (MaxTokens < 1)
        {
            yield return $"{path}: MaxTokens must be ≥ 1 (was {MaxTokens}).";
        }
    }

    internal Sampler CreateSampler(SimRandom random) => new(this, random);

    internal sealed class Sampler(TokenDistribution d, SimRandom random)
    {
        private readonly double _promptMu = Math.Log(d.PromptMedian);
        private readonly double _promptSigma = Math.Log(d.PromptP99 / d.PromptMedian) / Z99;
        private readonly double _outputMu = Math.Log(d.OutputMedian);
        private readonly double _outputSigma = Math.Log(d.OutputP99 / d.OutputMedian) / Z99;
        private readonly int _max = d.MaxTokens;

        public int Prompt(double? mean = null) => Draw(Location(_promptMu, _promptSigma, mean), _promptSigma);

        public int Output(double? mean = null) => Draw(Location(_outputMu, _outputSigma, mean), _outputSigma);

        /// <summary>
        /// The log-normal's μ. Without a mean: the configured median's. With a minute's mean m: the shape σ (so the p99/median
        /// ratio) is kept and the median becomes m·e^(−σ²/2), whose mean before clipping to [1, MaxTokens] is exactly m.
        /// </summary>
        private static double Location(double mu, double sigma, double? mean) => mean is { } m ? Math.Log(m) - (sigma * sigma / 2) : mu;

        private int Draw(double mu, double sigma)
        {
            var v = Math.Exp(mu + sigma * random.Normal());
            return v < 1 ? 1 : v > _max ? _max : (int)Math.Round(v);
        }
    }
}
