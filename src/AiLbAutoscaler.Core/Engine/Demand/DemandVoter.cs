using AiLbAutoscaler.Core.Engine.Headroom;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Demand;

/// <summary>
/// Demand learned from the request rate (<see cref="DemandOptions"/>): it votes the rate over what one instance can take
/// at the utilization target, and learns the cost of one request per second from minutes that were not saturated.
/// </summary>
public sealed class DemandVoter : IVoter
{
    public void Vote(VotingContext context, Ballot ballot)
    {
        var policy = context.Policy;
        if (!policy.Demand.Enabled || PerInstance(policy, context.Input.State) is not double perInstance ||
            context.Fresh(policy.Demand.RateSignal) is not { } reading)
        {
            return;
        }

        var cost = context.Input.State.Demand!.CostPerRequest!.Value;
        var (target, learned) = HeadroomVoter.TargetOf(policy, context.Input.State, policy.TargetFor(policy.Demand.UtilizationSignal)!);
        var rps = reading.Value!.Value;
        var signal = $"demand:{policy.Demand.RateSignal}";
        if (!string.IsNullOrWhiteSpace(policy.Demand.PeakRateSignal) && context.Fresh(policy.Demand.PeakRateSignal) is { Value: double peak } peakReading && peak > rps)
        {
            // A burst inside the rate's window: vote its height, so the fleet is not sized by the mean between bursts.
            (rps, reading, signal) = (peak, peakReading, $"demand:{policy.Demand.PeakRateSignal}");
        }

        var (size, note) = ballot.Cast(signal, rps / perInstance, $"{rps:0.##} req/s × {cost:0.####} learned cost per req/s / {target:0.###} target" + (learned is null ? "" : $" ({learned})"), mayPanic: true);
        ballot.Add(new SignalRecommendation(signal, TargetKind.PerInstance, perInstance, rps, reading.AgeAt(context.Now), SignalStatus.Used, size, note));
    }

    /// <summary>
    /// The request rate one instance can take at the policy's target: with demand learning and a learned cost, the
    /// utilization target over that cost; otherwise the forecast signal's PerInstance target, or null.
    /// </summary>
    public static double? PerInstance(ScalingPolicy policy, StackState state)
    {
        var demand = policy.Demand;
        if (demand.Enabled && state.Demand?.CostPerRequest is double cost && cost > 0)
        {
            return HeadroomVoter.TargetOf(policy, state, policy.TargetFor(demand.UtilizationSignal)!).Target / cost; // the validator requires the target
        }

        return policy.TargetFor(policy.Forecast.Signal) is { Kind: TargetKind.PerInstance } t ? t.Target : null;
    }

    /// <summary>
    /// Learns the cost of one request per second from a minute that was not saturated: the utilization sum of a minute
    /// over the request rate of the same minute. Instance metrics usually arrive before load-balancer metrics, so the
    /// sums wait (a few minutes at most) for the rate of their minute.
    /// </summary>
    public StackState Learn(VotingContext context, StackState next) => next with { Demand = Learned(context) };

    private static DemandModel? Learned(VotingContext context)
    {
        var options = context.Policy.Demand;
        if (!options.Enabled)
        {
            return null;
        }

        var now = context.Now;
        var model = context.Input.State.Demand ?? DemandModel.Empty;
        var pending = model.Pending.Where(p => now - p.At <= context.Policy.MaxSignalAge).ToList();
        if (context.Fresh(options.UtilizationSignal) is { } utilization &&
            utilization.Value < options.LearnBelowUtilization &&
            (utilization.Instances ?? context.Serving) is var over && over > 0 &&
            !pending.Any(p => p.At == utilization.ObservedAt))
        {
            pending.Add(new UtilizationSample(utilization.ObservedAt!.Value, utilization.Value!.Value * over));
        }

        var cost = model.CostPerRequest;
        var learnedAt = model.LearnedAt;
        if (context.FreshAfter(options.RateSignal, learnedAt) is { } rate && rate.Value > 0)
        {
            var match = pending.FindIndex(p => p.At == rate.ObservedAt);
            if (match >= 0)
            {
                var sample = pending[match].Sum / rate.Value!.Value;
                cost = cost is double c ? c + options.LearningRate * (sample - c) : sample;
                learnedAt = rate.ObservedAt;
                pending.RemoveAt(match);
            }
        }

        return new DemandModel(cost, learnedAt, pending);
    }
}
