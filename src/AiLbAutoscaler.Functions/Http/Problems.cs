using AiLbAutoscaler.Core.Controller;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>
/// The API's RFC 9457 problem responses (<c>application/problem+json</c>). Each <c>type</c> is a stable URN that
/// docs/functions.md explains; <c>detail</c> says what is wrong in words, and <c>errors</c> maps a field to its problems.
/// </summary>
public static class Problems
{
    public const string TypePrefix = "urn:ailbautoscaler:problem:";

    /// <summary>The <c>field</c> a problem with the body as a whole names.</summary>
    public const string BodyField = "body";

    public static ApiJsonResult NotJson(string detail) =>
        Create(StatusCodes.Status400BadRequest, "not-json", "The request body is not JSON", detail, ("field", BodyField));

    public static ApiJsonResult Invalid(IReadOnlyDictionary<string, string[]> errors)
    {
        var detail = string.Join(" ", errors.SelectMany(e => e.Value));
        var problem = new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Type = TypePrefix + "invalid-request",
            Title = "The request has invalid values",
            Status = StatusCodes.Status400BadRequest,
            Detail = detail,
        };
        if (errors.Count == 1)
        {
            problem.Extensions["field"] = errors.Keys.Single();
        }

        return new ApiJsonResult(problem, StatusCodes.Status400BadRequest, ApiJson.ProblemContentType);
    }

    public static ApiJsonResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ApiJsonResult UnknownStack(UnknownStackException ex) =>
        Create(StatusCodes.Status404NotFound, "unknown-stack", "No such stack", JsonText.Escape(ex.Message), ("field", "stack"), ("stack", JsonText.Escape(ex.Stack)));

    public static ApiJsonResult BodyTooLarge(int limit) =>
        Create(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large",
            $"The request body is larger than {limit} bytes (setting {Hosting.HttpApiOptions.SectionName}:MaxBodyBytes).",
            ("field", BodyField), ("limitBytes", limit));

    public static ApiJsonResult Busy(string stack, string detail, TickResult? result = null) =>
        Create(StatusCodes.Status409Conflict, "stack-busy", "Another update of the stack is in progress", detail,
            ("stack", stack), ("result", result));

    public static ApiJsonResult DecisionFailed(TickResult result) =>
        Create(StatusCodes.Status502BadGateway, "decision-failed", "The stack could not be evaluated",
            result.Error ?? "The tick failed.", ("stack", result.Stack));

    public static ApiJsonResult ActuationFailed(TickResult result) =>
        Create(StatusCodes.Status502BadGateway, "actuation-failed", "The new size could not be applied",
            result.Actuation?.Message ?? "The actuator reported a failure.", ("stack", result.Stack), ("result", result));

    /// <summary>The state store, lease or audit trail could not be reached; nothing was changed, and a retry may succeed.</summary>
    public static ApiJsonResult StorageUnavailable(string stack) =>
        Create(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "The autoscaler's storage is unavailable",
            $"The state, lease or audit storage of stack '{stack}' could not be reached; try again shortly.", ("stack", stack));

    public static ApiJsonResult Internal() =>
        Create(StatusCodes.Status500InternalServerError, "internal-error", "The request failed on the server",
            "An unexpected error happened; the function's log has the details.");

    private static ApiJsonResult Create(int status, string type, string title, string detail, params (string Key, object? Value)[] extensions)
    {
        var problem = new ProblemDetails { Type = TypePrefix + type, Title = title, Status = status, Detail = detail };
        foreach (var (key, value) in extensions)
        {
            if (value is not null)
            {
                problem.Extensions[key] = value;
            }
        }

        return new ApiJsonResult(problem, status, ApiJson.ProblemContentType);
    }
}
