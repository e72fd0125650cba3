using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>Settings of the simulator-side signals the ailb policy can vote with.</summary>
public sealed class AilbOptions
{
    /// <summary>Derive <see cref="SimSignalNames.Demand"/> and <see cref="SimSignalNames.DemandForecast"/>.</summary>
    public bool DeriveDemand { get; set; } = true;

    /// <summary>Minutes whose mean utilization is below this teach the cost of one request (saturated minutes hide it).</summary>
    public double LearnBelowUtilization { get; set; } = 0.85;

    /// <summary>Weight of the newest minute in the per-request cost's moving average.</summary>
    public double LearningRate { get; set; } = 0.2;

    /// <summary>The season of the forecast (one day).</summary>
    public int SeasonMinutes { get; set; } = 1440;

    /// <summary>How far ahead the forecast looks: about metric delay + Pulumi update + boot.</summary>
    public int LeadMinutes { get; set; } = 8;

    /// <summary>The forecast never asks for more than this multiple of the current demand.</summary>
    public double MaxGrowth { get; set; } = 3;

    public IEnumerable<string> Validate()
    {
        if (LearnBelowUtilization is <= 0 or > 1 || LearningRate is <= 0 or > 1 || SeasonMinutes < 1 || LeadMinutes < 0 || !(MaxGrowth >= 1))
        {
            yield return "Ailb:Options: LearnBelowUtilization and LearningRate must be in (0, 1], SeasonMinutes ≥ 1, LeadMinutes ≥ 0, MaxGrowth ≥ 1.";
        }
    }
}

/// <summary>
/// Two derived signals, in utilization units (instances at 100 % busy slots), computed only from what the metrics show:
/// <list type="bullet">
/// <item><c>demand_utilization_sum</c>: the request rate times the learned busy-slot cost of one request (Σ utilization /
/// request rate, averaged over unsaturated minutes). Unlike utilization it keeps growing when the fleet is saturated,
/// because the load balancer still counts every arriving request.</item>
/// <item><c>demand_utilization_sum_forecast</c>: that demand times the seasonal growth expected over the lead time — the
/// largest rate over the next lead minutes of one season ago over the rate one season ago — from the recorded history.
/// It can only raise the vote (growth ≥ 1), so it never scales in on a forecast alone.</item>
/// </list>
/// Memory is one season of per-minute rates.
/// </summary>
public sealed class DemandForecaster(AilbOptions options) : ISignalDeriver
{
    private readonly double[] _rates = new double[options.SeasonMinutes + options.LeadMinutes + 2];
    private readonly Dictionary<long, double> _utilizationSums = [];
    private long _lastRateMinute = -1;
    private double _costPerRequest = double.NaN;

    public SignalReading? Derive(ISimulatedGroup group, IReadOnlyList<SignalReading> observed)
    {
        SignalReading? rate = null, utilSum = null, util = null;
        foreach (var r in observed)
        {
            if (!r.HasValue)
            {
                continue;
            }

            switch (r.Signal)
            {
                case SignalNames.RequestRate:
                    rate = r;
                    break;
                case SimSignalNames.GpuUtilizationSum:
                    utilSum = r;
                    break;
                case SignalNames.GpuUtilization:
                    util = r;
                    break;
            }
        }

        if (utilSum is not null && util is not null && util.Value < options.LearnBelowUtilization)
        {
            _utilizationSums[Minute(utilSum)] = utilSum.Value!.Value;
        }

        if (rate is null)
        {
            return null;
        }

        var minute = Minute(rate);
        var requestsPerSecond = rate.Value!.Value;
        if (minute != _lastRateMinute)
        {
            _rates[minute % _rates.Length] = requestsPerSecond;
            _lastRateMinute = minute;
            if (_utilizationSums.Remove(minute, out var sum) && requestsPerSecond > 0)
            {
                var cost = sum / requestsPerSecond;
                _costPerRequest = double.IsNaN(_costPerRequest) ? cost : _costPerRequest + options.LearningRate * (cost - _costPerRequest);
            }

            foreach (var stale in _utilizationSums.Keys.Where(k => k < minute - 10).ToList())
            {
                _utilizationSums.Remove(stale);
            }
        }

        if (double.IsNaN(_costPerRequest))
        {
            return null;
        }

        var demand = requestsPerSecond * _costPerRequest;
        Pending = SignalReading.Of(SimSignalNames.Demand, demand, rate.ObservedAt!.Value);
        return SignalReading.Of(SimSignalNames.DemandForecast, demand * Growth(minute), rate.ObservedAt!.Value);
    }

    /// <summary>The demand reading of the last call (the source adds both).</summary>
    internal SignalReading? Pending { get; private set; }

    private double Growth(long minute)
    {
        var season = options.SeasonMinutes;
        if (minute < season)
        {
            return 1;
        }

        var then = _rates[(minute - season) % _rates.Length];
        if (!(then > 0))
        {
            return 1;
        }

        var peak = then;
        for (var j = 1; j <= options.LeadMinutes; j++)
        {
            peak = Math.Max(peak, _rates[(minute - season + j) % _rates.Length]);
        }

        return Math.Clamp(peak / then, 1, options.MaxGrowth);
    }

    private static long Minute(SignalReading r) => (long)Math.Round((r.ObservedAt!.Value - SimTimeProvider.Epoch).TotalMinutes) - 1;
}
