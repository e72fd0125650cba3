using AiLbAutoscaler.Core.Engine.Demand;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Trend;

/// <summary>
/// The look-ahead (<see cref="TrendOptions"/>): the request rate a clear rising trend reaches by the time new capacity
/// could serve, over what one instance can take. Never panics; a flat or falling trend abstains.
/// </summary>
public sealed class TrendVoter : IVoter
{
    public const string Prefix = "trend:";

    public void Vote(VotingContext context, Ballot ballot)
    {
        var options = context.Policy.Trend;
        if (!options.Enabled || context.Fresh(options.RateSignal) is not { } reading ||
            DemandVoter.PerInstance(context.Policy, context.Input.State) is not double capacity ||
            context.Input.State.Trend is not { } model)
        {
            return;
        }

        var points = model.Recent.Where(r => r.At < reading.ObservedAt).Append(new RateSample(reading.ObservedAt!.Value, reading.Value!.Value, 0))
            .TakeLast(options.Points).ToList();
        var horizon = context.Policy.ReactionSeconds(reading.AgeAt(context.Now)!.Value);
        if (Ahead(points, options, horizon) is not (double expected, double slope))
        {
            return;
        }

        var signal = Prefix + options.RateSignal;
        var (size, note) = ballot.Cast(signal, expected / capacity,
            $"rate rising {slope * 60:0.##} req/s per minute over {points.Count} readings: {expected:0.##} req/s within {horizon:0} s (now {reading.Value:0.##}); at {capacity:0.##} req/s per instance",
            mayPanic: false);
        ballot.Add(new SignalRecommendation(signal, TargetKind.PerInstance, capacity, expected, reading.AgeAt(context.Now), SignalStatus.Used, size, note));
    }

    /// <summary>
    /// The rate the least-squares line through <paramref name="points"/> reaches <paramref name="horizon"/> seconds after the
    /// newest, with its slope per second; null unless there are enough points and the slope is clearly positive.
    /// </summary>
    public static (double Expected, double Slope)? Ahead(IReadOnlyList<RateSample> points, TrendOptions options, double horizon)
    {
        var n = points.Count;
        if (n < Math.Max(3, options.Points))
        {
            return null;
        }

        var t0 = points[^1].At;
        var xs = points.Select(p => (p.At - t0).TotalSeconds).ToArray();
        var ys = points.Select(p => p.Rate).ToArray();
        double mx = xs.Average(), my = ys.Average();
        double sxx = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            sxx += (xs[i] - mx) * (xs[i] - mx);
            sxy += (xs[i] - mx) * (ys[i] - my);
        }

        if (!(sxx > 0))
        {
            return null;
        }

        var slope = sxy / sxx;
        var intercept = my - slope * mx;
        var residual = 0.0;
        for (var i = 0; i < n; i++)
        {
            var e = ys[i] - (intercept + slope * xs[i]);
            residual += e * e;
        }

        var standardError = Math.Sqrt(residual / (n - 2) / sxx);
        if (!(slope > 0) || slope < options.MinSlopeT * standardError)
        {
            return null;
        }

        var newest = ys[^1];
        var expected = Math.Min(intercept + slope * horizon, newest * (1 + options.MaxGrowth));
        return expected > newest ? (expected, slope) : null;
    }

    public StackState Learn(VotingContext context, StackState next)
    {
        var options = context.Policy.Trend;
        if (!options.Enabled)
        {
            return next with { Trend = null };
        }

        var model = context.Input.State.Trend ?? TrendModel.Empty;
        if (context.FreshAfter(options.RateSignal, model.Recent) is not { } reading)
        {
            return next with { Trend = model };
        }

        // A gap longer than the fit's span starts a new line: old readings would bend it.
        var at = reading.ObservedAt!.Value;
        var kept = model.Recent.Where(r => at - r.At <= TimeSpan.FromMinutes(2 * options.Points)).ToList();
        kept.Add(new RateSample(at, reading.Value!.Value, 0));
        return next with { Trend = new TrendModel(kept.TakeLast(options.Points).ToList()) };
    }
}
