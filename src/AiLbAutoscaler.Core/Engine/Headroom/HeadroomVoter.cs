using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Headroom;

/// <summary>
/// Headroom from history (<see cref="HeadroomOptions"/>). It casts no vote of its own: it learns the rises of the
/// request rate within the reaction time, and <see cref="TargetOf"/> gives the utilization target the other voters use
/// (the signal's vote, Demand and the forecast's capacity), so the vote that wins names the learned headroom.
/// </summary>
public sealed class HeadroomVoter : IVoter
{
    public void Vote(VotingContext context, Ballot ballot)
    {
    }

    /// <summary>
    /// The target of <paramref name="target"/> at this tick: the learned one when headroom is on for its signal and enough
    /// rises are known, else the configured one. The note says which, for the audit.
    /// </summary>
    public static (double Target, string? Note) TargetOf(ScalingPolicy policy, StackState state, SignalTarget target)
    {
        var options = policy.Headroom;
        if (!options.Enabled || target.Kind != TargetKind.Utilization ||
            !string.Equals(target.Signal, options.UtilizationSignal, StringComparison.OrdinalIgnoreCase) ||
            state.Headroom is not { } model || !(model.Weights.Sum() >= options.MinSamples))
        {
            return (target.Target, null);
        }

        var ratio = RiseHistogram.Quantile(model.Weights, options.Quantile);
        var floor = Math.Min(options.MinTarget ?? target.Target, options.SaturationUtilization);
        var learned = Math.Max(floor, options.SaturationUtilization / ratio);
        var bound = learned <= floor ? $", held at the floor {floor:0.###}" : "";
        return (learned, $"learned headroom: p{options.Quantile * 100:0.#} rise ×{ratio:0.##} within the reaction time, target {options.SaturationUtilization:0.##} / {ratio:0.##}{bound} = {learned:0.###}");
    }

    public StackState Learn(VotingContext context, StackState next)
    {
        var options = context.Policy.Headroom;
        if (!options.Enabled)
        {
            return next with { Headroom = null };
        }

        var model = context.Input.State.Headroom ?? HeadroomModel.Empty;
        if (context.FreshAfter(options.RateSignal, model.Recent) is not { } reading)
        {
            return next with { Headroom = model };
        }

        // The reaction time of this reading: how old it is now, plus the resize, plus the boot.
        var horizon = context.Policy.ReactionSeconds(reading.AgeAt(context.Now)!.Value);
        var at = reading.ObservedAt!.Value;
        return next with { Headroom = Learned(model, options, new RateSample(at, reading.Value!.Value, horizon)) };
    }

    /// <summary>
    /// Adds a reading; every reading whose reaction time has fully passed yields its rise (the highest rate within its
    /// reaction time over its own rate) into the decayed histogram and is dropped.
    /// </summary>
    public static HeadroomModel Learned(HeadroomModel model, HeadroomOptions options, RateSample sample)
    {
        var recent = model.Recent.Append(sample).ToList();
        var weights = model.Weights.Count == RiseHistogram.Buckets ? model.Weights.ToArray() : new double[RiseHistogram.Buckets];
        var updatedAt = model.UpdatedAt;
        while (recent.Count > 1 && (sample.At - recent[0].At).TotalSeconds >= recent[0].HorizonSeconds)
        {
            var start = recent[0];
            recent.RemoveAt(0);
            if (!(start.Rate > 0))
            {
                continue;
            }

            var end = start.At.AddSeconds(start.HorizonSeconds);
            var peak = recent.Where(r => r.At <= end).Select(r => r.Rate).DefaultIfEmpty(start.Rate).Max();
            if (updatedAt is { } last && sample.At > last)
            {
                var decay = Math.Exp(-(sample.At - last).TotalSeconds / options.MemorySeconds);
                for (var i = 0; i < weights.Length; i++)
                {
                    weights[i] *= decay;
                }
            }

            updatedAt = sample.At;
            weights[RiseHistogram.BucketOf(peak / start.Rate)] += 1;
        }

        return new HeadroomModel(recent, weights, updatedAt);
    }
}
