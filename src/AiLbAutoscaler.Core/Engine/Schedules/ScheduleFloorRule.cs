using AiLbAutoscaler.Core.Engine.Rules;

namespace AiLbAutoscaler.Core.Engine.Schedules;

/// <summary>
/// While a scaling schedule is active the size is at least its floor (the largest active floor wins, as in GCE), so a
/// scale-in stops at the floor. It only raises. A manual override wins over it, and mode Off (after it) keeps the size.
/// </summary>
public sealed class ScheduleFloorRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Constrain;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        if (context.Policy.Schedules.Count == 0 || context.ActiveOverride is not null)
        {
            return null;
        }

        ScheduleStatus? floor = null;
        foreach (var status in ScheduleCalendar.StatusAt(context.Policy, context.Now))
        {
            if (status.Active && status.Schedule.MinSize > (floor?.Schedule.MinSize ?? size))
            {
                floor = status;
            }
        }

        if (floor is null)
        {
            return null;
        }

        var schedule = floor.Schedule;
        return RuleResult.To(schedule.MinSize, new AppliedLimit(DecisionRules.Schedule, size, schedule.MinSize,
            $"schedule '{schedule.Name}' holds at least {schedule.MinSize} for the start at {DecisionContext.Stamp(floor.ActiveStart!.Value)}"));
    }
}
