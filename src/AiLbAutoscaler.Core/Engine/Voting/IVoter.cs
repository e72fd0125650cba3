using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Voting;

/// <summary>
/// A source of votes: it reads the context, casts its votes on the ballot and may learn from the tick. Voters run in
/// the order of <see cref="DecisionPipeline.Voters"/>; the largest vote wins and ties keep the first.
/// </summary>
public interface IVoter
{
    void Vote(VotingContext context, Ballot ballot);

    /// <summary>The state to save after this tick; by default the voter learns nothing.</summary>
    StackState Learn(VotingContext context, StackState next) => next;
}
