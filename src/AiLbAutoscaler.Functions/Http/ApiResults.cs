using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>Turns controller results and exceptions into HTTP answers, the same way for every route.</summary>
public static class ApiResults
{
    public static IActionResult Ok(object value) => new ApiJsonResult(value, StatusCodes.Status200OK);

    /// <summary>
    /// A decision answers 200. A stack that is busy answers 409 and a failure 502, each as a problem that still carries
    /// the decision where there was one.
    /// </summary>
    public static IActionResult FromTick(TickResult result) => result switch
    {
        { Outcome: TickOutcome.Busy } => Problems.Busy(result.Stack, result.Error ?? TickResult.Busy(result.Stack).Error!),
        { Outcome: TickOutcome.Failed } => Problems.DecisionFailed(result),
        { Actuation.Outcome: ActuationOutcome.Busy } => Problems.Busy(result.Stack,
            $"The stack '{result.Stack}' is being updated by someone else; the size {result.Decision?.DesiredSize} is kept pending and retried on the next tick.",
            result),
        { Actuation.Outcome: ActuationOutcome.Failed } => Problems.ActuationFailed(result),
        _ => Ok(result),
    };

    /// <summary>Runs one request, mapping the controller's request errors to problems and anything unexpected to a logged 500.</summary>
    public static async Task<IActionResult> GuardAsync(ILogger logger, string operation, string stack, Func<Task<IActionResult>> handle)
    {
        try
        {
            return await handle();
        }
        catch (UnknownStackException ex)
        {
            return Problems.UnknownStack(ex);
        }
        catch (InvalidRequestException ex)
        {
            return Problems.Invalid(ex.Field, ex.Message);
        }
        catch (PortException ex) when (ex.Unavailable)
        {
            logger.LogError(ex, "{Operation} of stack {Stack} failed: a service behind a port is unavailable", operation, stack);
            return Problems.StorageUnavailable(stack);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "{Operation} of stack {Stack} failed", operation, stack);
            return Problems.Internal();
        }
    }
}
