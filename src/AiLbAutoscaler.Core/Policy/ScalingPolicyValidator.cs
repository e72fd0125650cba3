namespace AiLbAutoscaler.Core.Policy;

/// <summary>Checks a policy and names each bad setting by its configuration path.</summary>
public static class ScalingPolicyValidator
{
    /// <summary>GCE allows at most 128 scaling schedules per group (ref §1).</summary>
    public const int MaxSchedules = 128;

    /// <summary>GCE's minimum schedule duration, in seconds (ref §1).</summary>
    public const double MinScheduleDurationSeconds = 300;

    /// <param name="policy">The policy to check.</param>
    /// <param name="path">The configuration path of the policy, for example <c>Autoscaler:Stacks:inference:Policy</c>.</param>
    public static IReadOnlyList<string> Validate(ScalingPolicy policy, string path)
    {
        var errors = new List<string>();
        void Fail(string setting, string problem) => errors.Add($"{path}:{setting} {problem}");

        if (policy.MinSize < 0)
        {
            Fail(nameof(policy.MinSize), $"must be 0 or more (was {policy.MinSize}).");
        }

        if (policy.MaxSize < 1)
        {
            Fail(nameof(policy.MaxSize), $"must be 1 or more (was {policy.MaxSize}).");
        }

        if (policy.MinSize > policy.MaxSize)
        {
            Fail(nameof(policy.MinSize), $"({policy.MinSize}) must not exceed MaxSize ({policy.MaxSize}).");
        }

        if (!Enum.IsDefined(policy.Mode))
        {
            Fail(nameof(policy.Mode), "must be On, ScaleOutOnly or Off.");
        }

        if (policy.Tolerance is < 0 or >= 1 || double.IsNaN(policy.Tolerance))
        {
            Fail(nameof(policy.Tolerance), $"must be in [0, 1) (was {policy.Tolerance}).");
        }

        NonNegative(policy.ScaleDownStabilizationSeconds, nameof(policy.ScaleDownStabilizationSeconds));
        NonNegative(policy.ScaleUpStabilizationSeconds, nameof(policy.ScaleUpStabilizationSeconds));
        NonNegative(policy.InitializationPeriodSeconds, nameof(policy.InitializationPeriodSeconds));
        if (!(policy.MaxSignalAgeSeconds > 0))
        {
            Fail(nameof(policy.MaxSignalAgeSeconds), $"must be more than 0 (was {policy.MaxSignalAgeSeconds}).");
        }

        CheckLimit(policy.ScaleUpLimit, nameof(policy.ScaleUpLimit));
        CheckLimit(policy.ScaleDownLimit, nameof(policy.ScaleDownLimit));

        if (policy.PanicThreshold != 0 && !(policy.PanicThreshold > 1))
        {
            Fail(nameof(policy.PanicThreshold), $"must be 0 (off) or more than 1 (was {policy.PanicThreshold}).");
        }

        if (policy.MissingTicksBeforeFallback < 1)
        {
            Fail(nameof(policy.MissingTicksBeforeFallback), $"must be 1 or more (was {policy.MissingTicksBeforeFallback}).");
        }

        if (policy.Fallback == FallbackMode.FixedSize)
        {
            if (policy.FallbackSize is not int size)
            {
                Fail(nameof(policy.FallbackSize), "is required when Fallback is FixedSize.");
            }
            else if (size < policy.MinSize || size > policy.MaxSize)
            {
                Fail(nameof(policy.FallbackSize), $"({size}) must lie within [MinSize {policy.MinSize}, MaxSize {policy.MaxSize}].");
            }
        }
        else if (!Enum.IsDefined(policy.Fallback))
        {
            Fail(nameof(policy.Fallback), "must be Hold or FixedSize.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < policy.Signals.Count; i++)
        {
            var target = policy.Signals[i];
            var where = $"{nameof(policy.Signals)}:{i}";
            if (string.IsNullOrWhiteSpace(target.Signal))
            {
                Fail($"{where}:{nameof(target.Signal)}", "is required.");
            }
            else if (!seen.Add(target.Signal))
            {
                Fail($"{where}:{nameof(target.Signal)}", $"names '{target.Signal}' twice; each signal may have one target.");
            }

            if (!(target.Target > 0) || !double.IsFinite(target.Target))
            {
                Fail($"{where}:{nameof(target.Target)}", $"must be a finite number more than 0 (was {target.Target}).");
            }

            if (!Enum.IsDefined(target.Kind))
            {
                Fail($"{where}:{nameof(target.Kind)}", "must be Utilization, PerInstance or LatencySlo.");
            }
        }

        CheckDemand(policy.Demand);
        CheckForecast(policy.Forecast);
        CheckHeadroom(policy.Headroom);
        CheckTrend(policy.Trend);
        if (policy.Settling is { Enabled: true } settling && !(settling.Seconds > 0 && settling.Seconds <= 3600))
        {
            Fail($"{nameof(policy.Settling)}:{nameof(settling.Seconds)}", $"must be in (0, 3600] when Settling is enabled (was {settling.Seconds}).");
        }

        CheckCalmRelease(policy.CalmRelease);
        NonNegative(policy.ActuationSeconds, nameof(policy.ActuationSeconds));
        CheckSchedules(policy.Schedules);
        return errors;

        void CheckSchedules(List<ScalingSchedule>? schedules)
        {
            const string setting = nameof(policy.Schedules);
            if (schedules is null)
            {
                return;
            }

            if (schedules.Count > MaxSchedules)
            {
                Fail(setting, $"has {schedules.Count} schedules; at most {MaxSchedules} are allowed (as in GCE).");
            }

            NonNegative(policy.ScheduleLeadSeconds, nameof(policy.ScheduleLeadSeconds));
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < schedules.Count; i++)
            {
                var schedule = schedules[i];
                var where = $"{setting}:{i}";
                if (string.IsNullOrWhiteSpace(schedule.Name))
                {
                    Fail($"{where}:{nameof(schedule.Name)}", "is required.");
                }
                else if (!names.Add(schedule.Name))
                {
                    Fail($"{where}:{nameof(schedule.Name)}", $"names '{schedule.Name}' twice; each schedule needs its own name.");
                }

                if (Engine.Schedules.ScheduleCalendar.Parse(schedule) is { Setting: { } wrong, Problem: { } problem })
                {
                    Fail($"{where}:{wrong}", problem);
                }

                if (!(schedule.DurationSeconds >= MinScheduleDurationSeconds) || !double.IsFinite(schedule.DurationSeconds))
                {
                    Fail($"{where}:{nameof(schedule.DurationSeconds)}", $"must be {MinScheduleDurationSeconds} or more (was {schedule.DurationSeconds}).");
                }

                if (schedule.MinSize < 0 || schedule.MinSize > policy.MaxSize)
                {
                    Fail($"{where}:{nameof(schedule.MinSize)}", $"({schedule.MinSize}) must lie within [0, MaxSize {policy.MaxSize}].");
                }
            }
        }

        void CheckDemand(DemandOptions? demand)
        {
            const string setting = nameof(policy.Demand);
            if (demand is null || !demand.Enabled)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(demand.RateSignal))
            {
                Fail($"{setting}:{nameof(demand.RateSignal)}", "is required when Demand is enabled.");
            }

            if (!string.IsNullOrWhiteSpace(demand.PeakRateSignal) && string.Equals(demand.PeakRateSignal, demand.RateSignal, StringComparison.OrdinalIgnoreCase))
            {
                Fail($"{setting}:{nameof(demand.PeakRateSignal)}", $"('{demand.PeakRateSignal}') must differ from {nameof(demand.RateSignal)}: the cost is learned from the mean rate, and the peak is voted beside it.");
            }

            var utilization = policy.TargetFor(demand.UtilizationSignal);
            if (utilization is null || utilization.Kind != TargetKind.Utilization)
            {
                Fail($"{setting}:{nameof(demand.UtilizationSignal)}",
                    $"('{demand.UtilizationSignal}') must name a signal of the policy with a Utilization target; its target is the demand's. " +
                    $"Demand is on by default: name such a signal, or set {path}:{setting}:{nameof(demand.Enabled)} to false.");
            }

            if (!(demand.LearnBelowUtilization > 0) || demand.LearnBelowUtilization > 1)
            {
                Fail($"{setting}:{nameof(demand.LearnBelowUtilization)}", $"must be in (0, 1] (was {demand.LearnBelowUtilization}).");
            }

            if (!(demand.LearningRate > 0) || demand.LearningRate > 1)
            {
                Fail($"{setting}:{nameof(demand.LearningRate)}", $"must be in (0, 1] (was {demand.LearningRate}).");
            }
        }

        void CheckForecast(ForecastOptions? forecast)
        {
            const string setting = nameof(policy.Forecast);
            if (forecast is null || !forecast.Enabled)
            {
                return;
            }

            if (!HasRateCapacity(forecast.Signal))
            {
                Fail($"{setting}:{nameof(forecast.Signal)}",
                    $"('{forecast.Signal}') must name a signal of the policy with a PerInstance target, or Demand's RateSignal with Demand enabled. " +
                    $"The forecast is on by default: give it such a signal, or set {path}:{setting}:{nameof(forecast.Enabled)} to false.");
            }

            if (!(forecast.BucketSeconds >= 60) || !(forecast.SeasonSeconds >= forecast.BucketSeconds) || forecast.Buckets is < 1 or > 4032 ||
                Math.Abs(forecast.Buckets * forecast.BucketSeconds - forecast.SeasonSeconds) > 1e-6)
            {
                Fail($"{setting}:{nameof(forecast.BucketSeconds)}",
                    $"({forecast.BucketSeconds}) must be 60 or more and divide {nameof(forecast.SeasonSeconds)} ({forecast.SeasonSeconds}) into at most 4032 buckets.");
            }

            if (!(forecast.LeadSeconds > 0) || forecast.LeadSeconds > forecast.SeasonSeconds)
            {
                Fail($"{setting}:{nameof(forecast.LeadSeconds)}", $"must be more than 0 and at most one season (was {forecast.LeadSeconds}).");
            }

            if (!(forecast.Smoothing > 0) || forecast.Smoothing > 1)
            {
                Fail($"{setting}:{nameof(forecast.Smoothing)}", $"must be in (0, 1] (was {forecast.Smoothing}).");
            }
        }

        void CheckHeadroom(HeadroomOptions? headroom)
        {
            const string setting = nameof(policy.Headroom);
            if (headroom is null || !headroom.Enabled)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(headroom.RateSignal))
            {
                Fail($"{setting}:{nameof(headroom.RateSignal)}", "is required when Headroom is enabled.");
            }

            if (policy.TargetFor(headroom.UtilizationSignal) is not { Kind: TargetKind.Utilization })
            {
                Fail($"{setting}:{nameof(headroom.UtilizationSignal)}",
                    $"('{headroom.UtilizationSignal}') must name a signal of the policy with a Utilization target; that target is the one learned. " +
                    $"Headroom is on by default: name such a signal, or set {path}:{setting}:{nameof(headroom.Enabled)} to false.");
            }

            if (!(headroom.SaturationUtilization > 0) || headroom.SaturationUtilization > 1)
            {
                Fail($"{setting}:{nameof(headroom.SaturationUtilization)}", $"must be in (0, 1] (was {headroom.SaturationUtilization}).");
            }

            if (headroom.MinTarget is double min && (!(min > 0) || min > headroom.SaturationUtilization))
            {
                Fail($"{setting}:{nameof(headroom.MinTarget)}", $"must be more than 0 and at most SaturationUtilization ({headroom.SaturationUtilization}) (was {min}).");
            }

            if (!(headroom.Quantile > 0) || !(headroom.Quantile < 1))
            {
                Fail($"{setting}:{nameof(headroom.Quantile)}", $"must be in (0, 1) (was {headroom.Quantile}).");
            }

            if (!(headroom.MemorySeconds >= 3600) || !double.IsFinite(headroom.MemorySeconds))
            {
                Fail($"{setting}:{nameof(headroom.MemorySeconds)}", $"must be 3600 (an hour) or more (was {headroom.MemorySeconds}).");
            }

            if (headroom.MinSamples < 1)
            {
                Fail($"{setting}:{nameof(headroom.MinSamples)}", $"must be 1 or more (was {headroom.MinSamples}).");
            }
        }

        // A rate whose per-instance capacity is known: its own PerInstance target, or Demand's learned cost.
        bool HasRateCapacity(string signal) =>
            (policy.Demand is { Enabled: true } d && string.Equals(d.RateSignal, signal, StringComparison.OrdinalIgnoreCase)) ||
            policy.TargetFor(signal) is { Kind: TargetKind.PerInstance };

        void CheckCalmRelease(CalmReleaseOptions? calm)
        {
            const string setting = nameof(policy.CalmRelease);
            if (calm is null || !calm.Enabled)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(calm.RateSignal))
            {
                Fail($"{setting}:{nameof(calm.RateSignal)}", $"is required when CalmRelease is enabled (it is on by default; set {path}:{setting}:{nameof(calm.Enabled)} to false to turn it off).");
            }

            if (calm.WindowSeconds is double window && !(window > 0 && window <= 3600))
            {
                Fail($"{setting}:{nameof(calm.WindowSeconds)}", $"must be in (0, 3600], or empty for one reaction time (was {window}).");
            }

            if (!(calm.Band > 1) || !double.IsFinite(calm.Band))
            {
                Fail($"{setting}:{nameof(calm.Band)}", $"must be a finite number more than 1 (was {calm.Band}).");
            }
        }

        void CheckTrend(TrendOptions? trend)
        {
            const string setting = nameof(policy.Trend);
            if (trend is null || !trend.Enabled)
            {
                return;
            }

            if (!HasRateCapacity(trend.RateSignal))
            {
                Fail($"{setting}:{nameof(trend.RateSignal)}",
                    $"('{trend.RateSignal}') must name a signal of the policy with a PerInstance target, or Demand's RateSignal with Demand enabled.");
            }

            if (trend.Points is < 3 or > 60)
            {
                Fail($"{setting}:{nameof(trend.Points)}", $"must be in [3, 60] (was {trend.Points}).");
            }

            NonNegative(trend.MinSlopeT, $"{setting}:{nameof(trend.MinSlopeT)}");
            if (!(trend.MaxGrowth > 0) || !double.IsFinite(trend.MaxGrowth))
            {
                Fail($"{setting}:{nameof(trend.MaxGrowth)}", $"must be a finite number more than 0 (was {trend.MaxGrowth}).");
            }
        }

        void NonNegative(double value, string setting)
        {
            if (!(value >= 0) || !double.IsFinite(value))
            {
                Fail(setting, $"must be 0 or more (was {value}).");
            }
        }

        void CheckLimit(RateLimit? limit, string setting)
        {
            if (limit is null)
            {
                Fail(setting, "is required.");
                return;
            }

            if (!(limit.Percent >= 0) || !double.IsFinite(limit.Percent))
            {
                Fail($"{setting}:{nameof(limit.Percent)}", $"must be 0 or more (was {limit.Percent}).");
            }

            if (limit.Instances < 0)
            {
                Fail($"{setting}:{nameof(limit.Instances)}", $"must be 0 or more (was {limit.Instances}).");
            }

            if (limit.Percent == 0 && limit.Instances == 0)
            {
                Fail(setting, "allows no change at all: set Percent or Instances above 0.");
            }

            if (!(limit.PeriodSeconds > 0))
            {
                Fail($"{setting}:{nameof(limit.PeriodSeconds)}", $"must be more than 0 (was {limit.PeriodSeconds}).");
            }
        }
    }
}
