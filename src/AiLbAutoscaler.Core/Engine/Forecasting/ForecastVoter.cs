using AiLbAutoscaler.Core.Engine.Demand;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Forecasting;

/// <summary>
/// The seasonal forecast (<see cref="ForecastOptions"/>): the size for the highest rate expected ahead, at the rate one
/// instance can take. It adds capacity ahead of a rise; it never panics and never scales in.
/// </summary>
public sealed class ForecastVoter : IVoter
{
    /// <summary>The name a forecast's vote carries in decisions: <c>forecast:&lt;signal&gt;</c>.</summary>
    public static string SignalName(ForecastOptions options) => "forecast:" + options.Signal;

    public void Vote(VotingContext context, Ballot ballot)
    {
        var options = context.Policy.Forecast;
        if (!options.Enabled || context.Fresh(options.Signal) is not { } reading ||
            DemandVoter.PerInstance(context.Policy, context.Input.State) is not double capacity)
        {
            return;
        }

        var name = SignalName(options);
        var (peak, note) = SeasonalForecaster.PeakAhead(context.Input.State.Forecast, options, reading.Value!.Value, reading.ObservedAt!.Value, context.Now);
        if (peak is not double expected)
        {
            // Without history it abstains.
            ballot.Add(new SignalRecommendation(name, TargetKind.PerInstance, capacity, null, null, SignalStatus.Ignored, null, note));
            return;
        }

        // At or below the current size the forecast still votes, as a floor: the largest vote wins, so it can only keep
        // a scale-in (asked for by the other signals) from going below what the look-ahead expects, never cause one.
        var exact = expected / capacity;
        var role = exact > context.Current ? "" : "; a floor for scale-in only (a forecast never scales in)";
        var (size, cast) = ballot.Cast(name, exact, $"{note}; at {capacity:0.##} req/s per instance{role}", mayPanic: false);
        ballot.Add(new SignalRecommendation(name, TargetKind.PerInstance, capacity, expected, reading.AgeAt(context.Now), SignalStatus.Used, size, cast));
    }

    public StackState Learn(VotingContext context, StackState next)
    {
        var options = context.Policy.Forecast;
        if (!options.Enabled)
        {
            return next with { Forecast = null };
        }

        return next with
        {
            Forecast = context.Fresh(options.Signal) is { } reading
                ? SeasonalForecaster.Learn(context.Input.State.Forecast, options, reading.Value!.Value, reading.ObservedAt!.Value)
                : context.Input.State.Forecast,
        };
    }
}
