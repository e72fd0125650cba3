using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Functions.Hosting;
using AiLbAutoscaler.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Functions;

/// <summary>The HTTP routes that decide: a manual rescale, and an evaluation with or without applying it.</summary>
public sealed class ScalingFunctions(
    AutoscaleController controller, IOptionsMonitor<HttpApiOptions> options, ILogger<ScalingFunctions> logger)
{
    /// <summary><c>POST /api/stacks/{stack}/rescale</c> with <c>{"targetSize": n, "reason": "...", "holdMinutes": m}</c>.</summary>
    [Function("Rescale")]
    public Task<IActionResult> RescaleAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "stacks/{stack}/rescale")] HttpRequest request,
        string stack,
        CancellationToken cancellationToken) =>
        ApiResults.GuardAsync(logger, "Rescale", stack, async () =>
        {
            _ = controller.PolicyFor(stack);
            var (document, problem) = await LimitedBody.ReadJsonAsync(request, options.CurrentValue.MaxBodyBytes, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            using (document)
            {
                var (rescale, errors) = RescaleBody.Parse(document!.RootElement);
                if (rescale is null)
                {
                    return Problems.Invalid(errors!);
                }

                logger.LogInformation("Manual rescale of stack {Stack} to {Size} for {Hold}: {Reason}",
                    stack, rescale.TargetSize, rescale.Hold, rescale.Reason);
                return ApiResults.FromTick(await controller.RescaleAsync(stack, rescale, DecisionTrigger.Http, cancellationToken));
            }
        });

    /// <summary>
    /// <c>POST /api/stacks/{stack}/evaluate?dryRun=true</c>: the decision now. With dryRun (the default) nothing is applied
    /// or remembered; with <c>dryRun=false</c> it is one tick, taken under the stack's lease like the timer's.
    /// </summary>
    [Function("Evaluate")]
    public Task<IActionResult> EvaluateAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "stacks/{stack}/evaluate")] HttpRequest request,
        string stack,
        CancellationToken cancellationToken) =>
        ApiResults.GuardAsync(logger, "Evaluate", stack, async () =>
        {
            _ = controller.PolicyFor(stack);
            var query = new Query(request.Query);
            var dryRun = query.Bool("dryRun", fallback: true);
            if (query.HasErrors)
            {
                return Problems.Invalid(query.Errors);
            }

            return ApiResults.FromTick(await controller.EvaluateAsync(stack, dryRun, DecisionTrigger.Http, cancellationToken));
        });
}
